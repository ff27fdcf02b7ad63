// What every benchmark executable needs: a seeded generator so runs build the same data, and the
// process's peak memory as Linux reports it.
public import Foundation

/// Deterministic random numbers (SplitMix64): every run builds the same corpus.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Peak resident memory of this process (VmHWM from /proc/self/status), in megabytes; NaN elsewhere.
public func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return .nan }
    return (Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? .nan) / 1024
}

/// Another process's resident memory as Linux reports it in /proc/PID/status, in megabytes:
/// `VmRSS` (now) and `VmHWM` (peak); NaN when the process is gone.
public func processMemoryMegabytes(pid: Int32) -> (rss: Double, peak: Double) {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (.nan, .nan) }
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return .nan }
        return (Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? .nan) / 1024
    }
    return (field("VmRSS"), field("VmHWM"))
}

/// The memory of a process and all its descendants (a PostgreSQL server: the postmaster and its
/// backends), as the sum of their proportional set sizes (`Pss` of /proc/PID/smaps_rollup: shared
/// pages are divided among the processes that map them, so shared buffers count once), in megabytes,
/// and how many processes that is. NaN when the process is gone.
public func processTreePSSMegabytes(pid: Int32) -> (megabytes: Double, processes: Int) {
    var pending = [pid], seen: [Int32] = [], kilobytes = 0.0
    while let next = pending.popLast() {
        guard let rollup = try? String(contentsOfFile: "/proc/\(next)/smaps_rollup", encoding: .utf8) else { continue }
        seen.append(next)
        if let line = rollup.split(separator: "\n").first(where: { $0.hasPrefix("Pss:") }) {
            kilobytes += Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(next)/task")) ?? []
        for task in tasks {
            let children = (try? String(contentsOfFile: "/proc/\(next)/task/\(task)/children", encoding: .utf8)) ?? ""
            pending += children.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }
    return seen.isEmpty ? (.nan, 0) : (kilobytes / 1024, seen.count)
}

/// The machine's CPU counters from /proc/stat (all cores): total and `steal`, the time a virtual
/// machine's hypervisor gave its cores to other guests. Wall times measured while much is stolen
/// measure the host, not the code: benchmarks print the share (`stolenPercent(since:)`).
public func hostCPUCounters() -> (total: Int, steal: Int) {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
          let first = text.split(separator: "\n").first else { return (0, 0) }
    let fields = first.split(separator: " ").dropFirst().prefix(8).compactMap { Int($0) }
    return (fields.reduce(0, +), fields.count == 8 ? fields[7] : 0)
}

/// The share of all CPU time stolen by the hypervisor since `start` (from `hostCPUCounters()`), in percent.
public func stolenPercent(since start: (total: Int, steal: Int)) -> Double {
    let now = hostCPUCounters()
    return 100 * Double(now.steal - start.steal) / Double(max(1, now.total - start.total))
}
