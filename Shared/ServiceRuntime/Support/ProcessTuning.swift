#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide settings every Concierge executable applies first thing.
public enum ProcessTuning {
    /// Caps glibc's malloc arenas at two. By default glibc gives busy threads their own arena (up to 8 per core),
    /// and a service has a dozen threads (NIO event loops, ZeroMQ I/O threads, socket threads), so resident memory
    /// grows with fragmentation across arenas rather than with use. Two arenas keep the six processes inside their
    /// memory budget (see docs/benchmarks.md). `mallopt` is looked up at run time because Swift's Glibc module does
    /// not export `<malloc.h>`.
    public static func apply() {
        #if canImport(Glibc)
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mArenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
                _ = unsafeBitCast(symbol, to: Mallopt.self)(mArenaMax, 2)
            }
        #endif
    }
}
