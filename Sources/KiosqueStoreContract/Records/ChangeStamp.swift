public import Foundation

/// Where an agent's view of the store stands. Two equal stamps mean no committed write of this
/// process changed what that agent can see in between (writes of other processes, such as a
/// `kiosque fetch` run beside the server, are not seen: caches also expire with age).
public struct ChangeStamp: Hashable, Sendable {
    public let shared: UInt64
    public let agent: UInt64

    public init(shared: UInt64, agent: UInt64) {
        self.shared = shared
        self.agent = agent
    }
}
