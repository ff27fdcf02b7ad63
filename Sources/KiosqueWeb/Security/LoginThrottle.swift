import Foundation

/// Limits failed sign-ins per account and per address, in a sliding window, so that guessing
/// passwords is slow without letting anyone lock an agent out forever.
actor LoginThrottle {
    struct Limits: Sendable {
        var perAccount = 5
        var perAddress = 20
        var window: TimeInterval = 15 * 60
    }

    private let limits: Limits
    private var failuresByAccount: [String: [Date]] = [:]
    private var failuresByAddress: [String: [Date]] = [:]

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether another attempt is allowed now for this account (login as typed, lowercased) and address.
    func allows(account: String, address: String, now: Date = Date()) -> Bool {
        prune(now: now)
        return (failuresByAccount[account.lowercased()]?.count ?? 0) < limits.perAccount
            && (failuresByAddress[address]?.count ?? 0) < limits.perAddress
    }

    /// Whole seconds until `allows` answers yes again (at least 1), for a Retry-After header.
    func retryAfter(account: String, address: String, now: Date = Date()) -> Int {
        prune(now: now)
        var waits: [TimeInterval] = []
        if let dates = failuresByAccount[account.lowercased()], dates.count >= limits.perAccount {
            waits.append(dates[dates.count - limits.perAccount].timeIntervalSince(now) + limits.window)
        }
        if let dates = failuresByAddress[address], dates.count >= limits.perAddress {
            waits.append(dates[dates.count - limits.perAddress].timeIntervalSince(now) + limits.window)
        }
        return max(1, Int((waits.max() ?? 0).rounded(.up)))
    }

    func recordFailure(account: String, address: String, now: Date = Date()) {
        failuresByAccount[account.lowercased(), default: []].append(now)
        failuresByAddress[address, default: []].append(now)
    }

    /// A successful sign-in clears the account's failures (not the address's).
    func recordSuccess(account: String) {
        failuresByAccount[account.lowercased()] = nil
    }

    private func prune(now: Date) {
        let horizon = now.addingTimeInterval(-limits.window)
        failuresByAccount = failuresByAccount.compactMapValues { dates in
            let kept = dates.filter { $0 > horizon }
            return kept.isEmpty ? nil : kept
        }
        failuresByAddress = failuresByAddress.compactMapValues { dates in
            let kept = dates.filter { $0 > horizon }
            return kept.isEmpty ? nil : kept
        }
    }
}
