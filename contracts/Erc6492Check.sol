// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// Checks an EIP-6492 signature of a contract wallet that may not be deployed yet. Never
/// deployed: the server sends its creation code with the constructor arguments as an eth_call
/// without a `to` (a "deployless" call), so whatever the constructor does — the factory call
/// deploying the wallet included — is simulated by the node and thrown away. The constructor
/// never returns code: it returns one byte, 0x01 when the wallet vouches for the signature,
/// 0x00 otherwise. It does not revert on anything the factory or the wallet does.
contract Erc6492Check {
    // EIP-1271: isValidSignature answers its own selector for a good signature.
    bytes4 private constant MAGIC = 0x1626ba7e;

    constructor(
        address signer,
        bytes32 hash,
        address factory,
        bytes memory factoryCalldata,
        bytes memory signature
    ) {
        // Deploy the wallet as its first transaction would. Whether that worked is judged by
        // what follows (the signer has code), not by the factory's answer: a factory that
        // reverts, or deploys some other address, leaves the signer without code.
        // The calls are in assembly so that no return data is copied: a factory or wallet
        // answering megabytes (a "return bomb") could otherwise run this frame out of gas.
        if (signer.code.length == 0) {
            assembly {
                pop(call(gas(), factory, 0, add(factoryCalldata, 32), mload(factoryCalldata), 0, 0))
            }
        }
        bool valid = false;
        if (signer.code.length != 0) {
            bytes memory query = abi.encodeWithSelector(MAGIC, hash, signature);
            bytes32 magic = bytes32(MAGIC);
            assembly {
                // Exactly one ABI word holding the magic value; anything else is a "no".
                let ok := staticcall(gas(), signer, add(query, 32), mload(query), 0, 32)
                valid := and(and(ok, eq(returndatasize(), 32)), eq(mload(0), magic))
            }
        }
        assembly {
            mstore(0, valid)
            return(31, 1)
        }
    }
}
