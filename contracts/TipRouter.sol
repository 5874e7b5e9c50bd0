// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TipRouter: tips that go straight from the sender to the recipient.
/// @notice tipchat's server never holds funds or keys. A tip is a call to this contract from
/// the sender's own wallet; the contract moves the coins from sender to recipient in that same
/// call and emits `Tip`, which the server's watcher reads (from this address only) and matches
/// to the tip intent by `ref`.
///
/// Non-custodial by construction:
/// - there is no receive() or fallback(), so plain transfers to the router revert;
/// - tipNative forwards exactly msg.value to `to` in the same call and reverts if that fails;
/// - tipToken moves tokens with transferFrom(sender -> recipient): they never pass through here;
/// - nothing can withdraw, because there is nothing to withdraw.
/// (Coins can still be forced in by selfdestruct or as a block reward; nobody can take them
/// out, and the watcher never looks at the router's balance.)
///
/// Reentrancy: a recipient contract may call back into the router, but every call moves only
/// the caller's own coins and keeps no state between calls, so a re-entered call is just
/// another real tip. No guard is needed.
contract TipRouter {
    /// @param ref The tip intent's random 32-byte reference (`reference` is a reserved word
    ///        in Solidity, hence `ref`; the topic is the same).
    /// @param token address(0) for the chain's native coin.
    event Tip(
        bytes32 indexed ref, address indexed from, address indexed to, address token, uint256 amount
    );
    event TokenAllowed(address indexed token, bool allowed);
    event OwnershipTransferStarted(address indexed owner, address indexed pendingOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error ZeroAmount();
    error ZeroAddress();
    error TokenNotAllowed(address token);
    error NativeTransferFailed();
    error TokenTransferFailed();
    error NotOwner();
    error NotPendingOwner();

    /// The owner only curates the token allow-list; it can never move anyone's funds.
    address public owner;
    /// Two-step ownership transfer: a typo in the new owner's address cannot lock the list.
    address public pendingOwner;
    /// Only allow-listed tokens can be tipped, so a look-alike token with a familiar symbol
    /// cannot produce a `Tip` that appears to be, say, USDC.
    mapping(address token => bool) public tokenAllowed;

    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert ZeroAddress();
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// Tip in the chain's native coin: msg.value goes to `to` in this same call.
    function tipNative(bytes32 ref, address to) external payable {
        if (msg.value == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        // All gas is forwarded: recipients may be smart wallets whose receive() needs more
        // than the 2300 gas of transfer(). Reentrancy is harmless (see the contract notes).
        (bool ok,) = to.call{value: msg.value}("");
        if (!ok) revert NativeTransferFailed();
        emit Tip(ref, msg.sender, to, address(0), msg.value);
    }

    /// Tip in an allow-listed ERC-20: the sender first approves the router for `amount`.
    function tipToken(bytes32 ref, address token, address to, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0) || token == address(0)) revert ZeroAddress();
        if (!tokenAllowed[token]) revert TokenNotAllowed(token);
        _safeTransferFrom(token, msg.sender, to, amount);
        emit Tip(ref, msg.sender, to, token, amount);
    }

    function setTokenAllowed(address token, bool allowed) external onlyOwner {
        if (token == address(0)) revert ZeroAddress();
        tokenAllowed[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        pendingOwner = newOwner; // address(0) cancels a pending transfer
        emit OwnershipTransferStarted(owner, newOwner);
    }

    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner();
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    /// transferFrom that also accepts tokens returning nothing (USDT on mainnet, for one)
    /// and refuses a "success" from an address without code. A revert from the token is
    /// passed on as it is, so wallets can show "insufficient allowance" and the like.
    function _safeTransferFrom(address token, address from, address to, uint256 amount) private {
        (bool ok, bytes memory ret) =
            token.call(abi.encodeWithSelector(0x23b872dd, from, to, amount)); // transferFrom
        if (!ok) {
            if (ret.length > 0) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            revert TokenTransferFailed();
        }
        if (ret.length == 0 ? token.code.length == 0 : !abi.decode(ret, (bool))) {
            revert TokenTransferFailed();
        }
    }
}
