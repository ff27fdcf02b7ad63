public import Foundation
public import KiosqueModel

/// How the last attempt ended, as far as scheduling is concerned.
public enum FetchOutcome: Sendable, Hashable {
    /// A 200 or a 304.
    case success
    /// Any failure, by class (429 is `.rateLimited`, 503 is `.http5xx`).
    case failure(FetchErrorClass)
}

/// When to fetch a source next: its interval with jitter, exponential backoff after failures up to a
/// ceiling, the server's Retry-After and the feed's own ttl as lower bounds (politeness only ever
/// delays, never hurries).
public struct FetchPolicy: Sendable, Hashable {
    /// The source's normal interval in seconds.
    public var interval: TimeInterval
    /// Jitter as a fraction of the delay (0.1 = ±10 %), so thousands of sources do not fire in step.
    public var jitter: Double
    /// The longest backoff after repeated failures.
    public var ceiling: TimeInterval
    /// The longest wait a server's Retry-After or a feed's ttl can impose (a broken header must not
    /// silence a source for a year).
    public var maxImposedDelay: TimeInterval

    /// A policy for a source fetched every `interval` seconds.
    public init(interval: TimeInterval, jitter: Double = 0.1, ceiling: TimeInterval = 6 * 3600,
                maxImposedDelay: TimeInterval = 24 * 3600) {
        self.interval = max(1, interval)
        self.jitter = min(max(jitter, 0), 1)
        self.ceiling = ceiling
        self.maxImposedDelay = maxImposedDelay
    }

    /// The delay before the next attempt, without jitter.
    /// - Parameters:
    ///   - consecutiveFailures: failures in a row including this attempt (0 after a success).
    ///   - retryAfter: the server's Retry-After in seconds, if any.
    ///   - feedTTL: the feed's ttl or sy:updatePeriod in seconds, if any.
    public func baseDelay(outcome: FetchOutcome, consecutiveFailures: Int, retryAfter: TimeInterval?,
                          feedTTL: TimeInterval?) -> TimeInterval {
        var delay = interval
        if case .failure = outcome {
            // interval, 2×, 4×, … capped; the exponent is bounded so the arithmetic never overflows.
            let exponent = Double(min(max(consecutiveFailures, 1) - 1, 30))
            delay = max(interval, min(ceiling, interval * pow(2, exponent)))
        }
        return max(delay, floor(retryAfter: retryAfter, feedTTL: feedTTL))
    }

    /// The next attempt time for a given jitter draw `unit` in -1…1 (tests pass fixed values).
    public func nextAttempt(after now: Date, outcome: FetchOutcome, consecutiveFailures: Int,
                            retryAfter: TimeInterval? = nil, feedTTL: TimeInterval? = nil, jitterUnit unit: Double) -> Date {
        let delay = baseDelay(outcome: outcome, consecutiveFailures: consecutiveFailures,
                              retryAfter: retryAfter, feedTTL: feedTTL)
        let jittered = delay * (1 + jitter * min(max(unit, -1), 1))
        // Jitter may move our own schedule either way, never ahead of what the server or feed asked.
        return now.addingTimeInterval(max(jittered, floor(retryAfter: retryAfter, feedTTL: feedTTL)))
    }

    /// The next attempt time with a jitter drawn from `generator` (inject a seeded one for determinism).
    public func nextAttempt<G: RandomNumberGenerator>(after now: Date, outcome: FetchOutcome, consecutiveFailures: Int,
                                                      retryAfter: TimeInterval? = nil, feedTTL: TimeInterval? = nil,
                                                      using generator: inout G) -> Date {
        let unit = Double.random(in: -1...1, using: &generator)
        return nextAttempt(after: now, outcome: outcome, consecutiveFailures: consecutiveFailures,
                           retryAfter: retryAfter, feedTTL: feedTTL, jitterUnit: unit)
    }

    /// The lower bound set by others: Retry-After and the feed's ttl, each capped.
    private func floor(retryAfter: TimeInterval?, feedTTL: TimeInterval?) -> TimeInterval {
        min(maxImposedDelay, max(max(retryAfter ?? 0, feedTTL ?? 0), 0))
    }
}
