import CCurl
import Foundation
import KiosqueModel

/// The HTTP engine: libcurl's multi interface driven by one dedicated thread (never a Swift concurrency
/// or NIO thread: `curl_multi_poll` blocks), with global and per-host limits, connection reuse, HTTP/2,
/// decompression, manual redirects, timeouts and a body cap. Callers simply `await fetch(_:)`.
public final class HTTPEngine: Sendable {
    /// The settings every transfer uses.
    public let settings: FetchSettings
    private let loop: EngineLoop

    /// Starts the engine's thread; call `shutdown()` (or drop the engine) to stop it.
    public init(settings: FetchSettings = FetchSettings()) {
        var checked = settings
        checked.concurrency = max(1, settings.concurrency)
        checked.perHost = max(1, min(settings.perHost, checked.concurrency))
        checked.maxBytes = max(1, settings.maxBytes)
        checked.maxRedirects = max(0, settings.maxRedirects)
        self.settings = checked
        loop = EngineLoop(settings: checked)
    }

    deinit {
        loop.stop()
    }

    /// Stops the thread; transfers still queued or running end with an `.other` failure.
    public func shutdown() {
        loop.stop()
    }

    /// Fetches one source. Never throws: every outcome is a response (200/304) or a classified failure.
    /// Cancelling the calling task aborts the transfer.
    public func fetch(_ request: FetchRequest) async -> Result<FetchResponse, FetchFailure> {
        guard let scheme = URLText.scheme(of: request.url), ["http", "https", "file"].contains(scheme) else {
            return .failure(FetchFailure(.other, "the URL '\(URLText.redacted(request.url))' of source \(request.sourceID) "
                                         + "is not an http, https or file URL"))
        }
        var credentials: ResolvedCredentials?
        if let declared = request.credentials {
            switch ResolvedCredentials.resolve(declared, sourceID: request.sourceID) {
            case .success(let resolved): credentials = resolved
            case .failure(let failure): return .failure(failure)
            }
        }
        let flag = CancelFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.submit(Transfer(request: request, settings: settings, credentials: credentials,
                                     cancelFlag: flag, completion: continuation))
            }
        } onCancel: {
            flag.cancel()
            loop.wakeForCancellation()
        }
    }
}

/// The engine thread's state. `inbox` is shared under a lock; everything else belongs to the thread.
private final class EngineLoop: @unchecked Sendable {
    private struct Inbox {
        var arrivals: [Transfer] = []
        var cancellations = 0
        var stopping = false
        var stopped = false
    }

    private let settings: FetchSettings
    private let lock = NSLock()
    private var inbox = Inbox()
    private let multi: UnsafeMutableRawPointer

    // Owned by the engine thread.
    private var pending: [Transfer] = []
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var activePerHost: [String: Int] = [:]
    private var cancellationsSeen = 0

    /// libcurl requires one global initialisation before any handle exists.
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    init(settings: FetchSettings) {
        Self.globalInit
        self.settings = settings
        multi = curl_multi_init()
        // Idle connections kept for reuse; limits themselves are enforced by our queue, not libcurl's,
        // so that time spent waiting for a slot never eats into a transfer's timeout.
        kq_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, settings.concurrency * 2))
        let thread = Thread { [self] in run() }
        thread.name = "kiosque-http-engine"
        thread.start()
    }

    func submit(_ transfer: Transfer) {
        let accepted = locked { () -> Bool in
            guard !inbox.stopping else { return false }
            inbox.arrivals.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted { transfer.complete(.failure(Self.shutDown)) }
    }

    func wakeForCancellation() {
        locked {
            inbox.cancellations += 1
            if !inbox.stopped { curl_multi_wakeup(multi) }
        }
    }

    func stop() {
        locked {
            guard !inbox.stopping else { return }
            inbox.stopping = true
            curl_multi_wakeup(multi)
        }
    }

    private func run() {
        while true {
            let (arrivals, cancellations, stopping) = locked { () -> ([Transfer], Int, Bool) in
                defer { inbox.arrivals.removeAll() }
                return (inbox.arrivals, inbox.cancellations, inbox.stopping)
            }
            pending.append(contentsOf: arrivals)
            if stopping { break }
            if cancellations != cancellationsSeen {
                cancellationsSeen = cancellations
                reapCancelled()
            }
            if !arrivals.isEmpty { startPending() }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            if drainCompleted() { startPending() }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        tearDown()
    }

    /// Starts queued transfers in arrival order while the global and per-host limits allow.
    private func startPending() {
        guard active.count < settings.concurrency, !pending.isEmpty else { return }
        var waiting: [Transfer] = []
        waiting.reserveCapacity(pending.count)
        for transfer in pending {
            guard active.count < settings.concurrency else { waiting.append(transfer); continue }
            if transfer.cancelFlag.isCancelled {
                transfer.complete(.failure(Self.cancelled))
                continue
            }
            guard activePerHost[transfer.hostKey, default: 0] < settings.perHost else {
                waiting.append(transfer)
                continue
            }
            if let failure = transfer.makeHandle() {
                transfer.complete(.failure(failure))
                continue
            }
            guard let easy = transfer.easy, curl_multi_add_handle(multi, easy) == CURLM_OK else {
                transfer.complete(.failure(FetchFailure(.other, "libcurl refused to start the transfer")))
                continue
            }
            active[easy] = transfer
            activePerHost[transfer.hostKey, default: 0] += 1
        }
        pending = waiting
    }

    /// Handles every finished hop; true when a slot was freed.
    private func drainCompleted() -> Bool {
        var freed = false
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = active[easy] else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            switch transfer.step(code: code) {
            case .follow:
                // The same handle, slot and connection cache continue with the next URL.
                if curl_multi_add_handle(multi, easy) != CURLM_OK {
                    release(easy, transfer, .failure(FetchFailure(.other, "libcurl refused to follow the redirect")))
                    freed = true
                }
            case .finish(let result):
                release(easy, transfer, result)
                freed = true
            }
        }
        return freed
    }

    private func reapCancelled() {
        for (easy, transfer) in active where transfer.cancelFlag.isCancelled {
            curl_multi_remove_handle(multi, easy)
            release(easy, transfer, .failure(Self.cancelled))
        }
        pending.removeAll { transfer in
            guard transfer.cancelFlag.isCancelled else { return false }
            transfer.complete(.failure(Self.cancelled))
            return true
        }
        startPending()
    }

    private func release(_ easy: UnsafeMutableRawPointer, _ transfer: Transfer, _ result: Result<FetchResponse, FetchFailure>) {
        active[easy] = nil
        activePerHost[transfer.hostKey, default: 1] -= 1
        if activePerHost[transfer.hostKey] == 0 { activePerHost[transfer.hostKey] = nil }
        transfer.complete(result)
    }

    private func tearDown() {
        for (easy, transfer) in active {
            curl_multi_remove_handle(multi, easy)
            transfer.complete(.failure(Self.shutDown))
        }
        active.removeAll()
        let late = locked { () -> [Transfer] in
            inbox.stopped = true
            defer { inbox.arrivals.removeAll() }
            return inbox.arrivals
        }
        for transfer in pending + late { transfer.complete(.failure(Self.shutDown)) }
        pending.removeAll()
        // Under the lock: `submit` and `wakeForCancellation` call curl_multi_wakeup under it too.
        locked { _ = curl_multi_cleanup(multi) }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private static let shutDown = FetchFailure(.other, "the fetcher was shut down before the transfer ended")
    private static let cancelled = FetchFailure(.other, "the fetch was cancelled")
}
