#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Process-wide memory settings for a long-running server.
public enum ServerMemory {
    /// Caps glibc's malloc arenas at two (unless MALLOC_ARENA_MAX is set). By default glibc opens up
    /// to eight arenas per core for the many threads of NIO, Swift concurrency and the store's
    /// readers, and their fragmentation alone grew a 5-minute soak of 300 agents from ~210 MB to
    /// ~280 MB peak (WebBench, BENCHMARKS.md), and 10,000 digests (bodies of ~90 KB built while others
    /// are sent) from 142 to 242 MB. `kiosque` calls it first thing for every command, before threads start.
    public static func limitMallocArenas() {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil,
              let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }  // RTLD_DEFAULT
        // <malloc.h> is not in Swift's Glibc module: mallopt is looked up; M_ARENA_MAX is -8.
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-8, 2)
        #endif
    }
}
