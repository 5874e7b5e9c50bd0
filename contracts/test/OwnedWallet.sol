// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// Test-only: the smallest EIP-1271 contract wallet. A signature is valid when its one owner
/// signed the hash (as Safe and other smart wallets answer for their owners), to test SIWE
/// wallet linking for contract wallets. Never deploy outside tests.
contract OwnedWallet {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(hash, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}
