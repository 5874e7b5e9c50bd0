// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OwnedWallet} from "./OwnedWallet.sol";

/// Test-only: a CREATE2 factory for OwnedWallet, so a wallet's address is known before it
/// exists (a counterfactual wallet, as smart-wallet SDKs make them) and its owner can sign
/// for it with EIP-6492. Never deploy outside tests.
contract OwnedWalletFactory {
    function deploy(address owner, bytes32 salt) external returns (OwnedWallet) {
        return new OwnedWallet{salt: salt}(owner);
    }

    /// Where deploy(owner, salt) puts the wallet.
    function addressOf(address owner, bytes32 salt) external view returns (address) {
        bytes32 initCodeHash = keccak256(
            abi.encodePacked(type(OwnedWallet).creationCode, abi.encode(owner))
        );
        return address(uint160(uint256(
            keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initCodeHash))
        )));
    }
}
