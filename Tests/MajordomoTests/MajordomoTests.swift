import Foundation
import Logging
import Majordomo
import ServiceLifecycle
import Testing
import Wire

@Suite("Majordomo broker, worker and client", .serialized)
struct MajordomoTests {
    @Test("a request goes client -> broker -> worker -> client")
    func roundTrip() async throws {
        let broker = try await RunningBroker.start()
        let worker = MajordomoWorker(
            brokerEndpoint: broker.endpoint, service: "echo", concurrency: 1, configuration: fastTiming,
            logger: testLogger("worker"), handler: echoHandler())
        let workerTask = startService { try await worker.run() }
        let client = makeClient(broker.endpoint)
        let reply = try await call(client, "echo", payload: #"{"a":1}"#, requestID: "r-1")
        #expect(reply.status == 200)
        #expect(reply.body == Array(#"{"a":1}"#.utf8))
        #expect(reply.requestID == "r-1")
        await client.shutdown()
        await stop(workerTask)
        await broker.stop()
    }

    @Test("100 requests in flight over one client are correlated correctly")
    func manyInFlight() async throws {
        let broker = try await RunningBroker.start()
        let worker = MajordomoWorker(
            brokerEndpoint: broker.endpoint, service: "echo", concurrency: 8, configuration: fastTiming,
            logger: testLogger("worker"), handler: echoHandler(delay: .milliseconds(5)))
        let workerTask = startService { try await worker.run() }
        let client = makeClient(broker.endpoint)
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask {
                    let reply = try await call(client, "echo", payload: "{\"n\":\(index)}", requestID: "req-\(index)")
                    let good =
                        reply.status == 200 && reply.requestID == "req-\(index)"
                        && reply.body == Array("{\"n\":\(index)}".utf8)
                    return good ? 0 : 1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
        await client.shutdown()
        await stop(workerTask)
        await broker.stop()
    }

    @Test("requests are spread over two workers least-recently-used first")
    func lruAcrossWorkers() async throws {
        let broker = try await RunningBroker.start()
        let client = makeClient(broker.endpoint)
        let workerA = MajordomoWorker(
            brokerEndpoint: broker.endpoint, service: "lru", concurrency: 1, configuration: fastTiming,
            logger: testLogger("worker"), handler: echoHandler(tag: "A"))
        let taskA = startService { try await workerA.run() }
        #expect(await eventually { try await client.serviceAvailable("lru", timeout: .seconds(2)) })
        let workerB = MajordomoWorker(
            brokerEndpoint: broker.endpoint, service: "lru", concurrency: 1, configuration: fastTiming,
            logger: testLogger("worker"), handler: echoHandler(tag: "B"))
        let taskB = startService { try await workerB.run() }
        // Wait until B has answered once, which proves it registered.
        #expect(
            await eventually {
                try await call(client, "lru").body == Array("\"B\"".utf8)
            })
        var seen: [String] = []
        for _ in 0..<6 {
            seen.append(String(decoding: try await call(client, "lru").body, as: UTF8.self))
        }
        // Sequential requests alternate between the two idle workers.
        for index in 1..<seen.count { #expect(seen[index] != seen[index - 1], "\(seen)") }
        await client.shutdown()
        await stop(taskA)
        await stop(taskB)
        await broker.stop()
    }

    @Test("a service without workers gets 503 service_unavailable after the request expiry")
    func serviceUnavailable() async throws {
        let broker = try await RunningBroker.start()
        let client = makeClient(broker.endpoint)
        let reply = try await call(client, "nobody", requestID: "lonely-1")
        #expect(reply.status == 503)
        #expect(problemCode(reply) == "service_unavailable")
        #expect(reply.requestID == "lonely-1")
        await client.shutdown()
        await broker.stop()
    }

    @Test("a worker that stops heartbeating while busy yields 503 worker_lost")
    func workerLost() async throws {
        let broker = try await RunningBroker.start()
        let raw = try await RawPeer(connect: broker.endpoint)
        try await raw.send(MDP.ready(service: "fragile"))
        let client = makeClient(broker.endpoint)
        #expect(await eventually { try await client.serviceAvailable("fragile", timeout: .seconds(2)) })
        async let reply = call(client, "fragile", requestID: "doomed-7")
        let request = try #require(try await raw.receiveCommand())
        #expect(request.count >= 6)
        #expect(request[2] == MDP.Command.request.frame)
        // Now go silent: no reply, no heartbeats.
        let answer = try await reply
        #expect(answer.status == 503)
        #expect(problemCode(answer) == "worker_lost")
        #expect(answer.requestID == "doomed-7")
        await raw.close()
        await client.shutdown()
        await broker.stop()
    }

    @Test("mmi.service answers 200 for a live worker, 404 otherwise, 501 for unknown mmi services")
    func mmi() async throws {
        let broker = try await RunningBroker.start()
        let worker = MajordomoWorker(
            brokerEndpoint: broker.endpoint, service: "present", concurrency: 1, configuration: fastTiming,
            logger: testLogger("worker"), handler: echoHandler())
        let workerTask = startService { try await worker.run() }
        let client = makeClient(broker.endpoint)
        #expect(await eventually { try await client.serviceAvailable("present", timeout: .seconds(2)) })
        #expect(try await client.serviceAvailable("absent", timeout: .seconds(5)) == false)
        let unknown = try await client.request(
            service: "mmi.nonsense", body: [Array("x".utf8)], correlationID: "mmi-x", timeout: .seconds(5))
        #expect(unknown == [Array("501".utf8)])
        await stop(workerTask)
        // After the worker left, mmi.service reports it gone.
        #expect(await eventually { try await !client.serviceAvailable("present", timeout: .seconds(2)) })
        await client.shutdown()
        await broker.stop()
    }

    @Test("malformed frames do not crash the broker; protocol violations get DISCONNECT")
    func malformedFrames() async throws {
        let broker = try await RunningBroker.start()
        let raw = try await RawPeer(connect: broker.endpoint)
        try await raw.send([Array("garbage".utf8)])
        try await raw.send([[], Array("NOTMDP".utf8), [1, 2, 3]])
        try await raw.send([[], MDP.clientHeader])
        try await raw.send([[], MDP.clientHeader, [0xFF, 0xFE]])
        try await raw.send([[], MDP.workerHeader])
        try await raw.send([[], MDP.workerHeader, [0x09]])
        let disconnect = try #require(try await raw.receiveCommand())
        #expect(disconnect == MDP.workerCommand(.disconnect))
        try await raw.send([[], MDP.workerHeader, MDP.Command.reply.frame, Array("nobody".utf8), []])
        #expect(try await raw.receiveCommand() == MDP.workerCommand(.disconnect))
        // READY twice from the same worker is a violation too.
        try await raw.send(MDP.ready(service: "twice"))
        try await raw.send(MDP.ready(service: "twice"))
        #expect(try await raw.receiveCommand() == MDP.workerCommand(.disconnect))

        let worker = MajordomoWorker(
            brokerEndpoint: broker.endpoint, service: "echo", concurrency: 1, configuration: fastTiming,
            logger: testLogger("worker"), handler: echoHandler())
        let workerTask = startService { try await worker.run() }
        let client = makeClient(broker.endpoint)
        let reply = try await call(client, "echo", payload: "{}", requestID: "after-garbage")
        #expect(reply.status == 200)
        await raw.close()
        await client.shutdown()
        await stop(workerTask)
        await broker.stop()
    }

    @Test("a worker registers again after the broker restarts on the same endpoint")
    func brokerRestart() async throws {
        let first = try await RunningBroker.start()
        let endpoint = first.endpoint
        let worker = MajordomoWorker(
            brokerEndpoint: endpoint, service: "phoenix", concurrency: 2, configuration: fastTiming,
            logger: testLogger("worker"), handler: echoHandler())
        let workerTask = startService { try await worker.run() }
        let client = makeClient(endpoint)
        #expect(try await call(client, "phoenix").status == 200)
        await first.stop()

        let second = try await RunningBroker.start(brokerConfiguration(endpoint: endpoint))
        #expect(second.endpoint == endpoint)
        let recovered = await eventually(within: .seconds(20)) {
            (try? await call(client, "phoenix", timeout: .seconds(2)).status) == 200
        }
        #expect(recovered)
        await client.shutdown()
        await stop(workerTask)
        await second.stop()
    }

    @Test("graceful worker stop finishes the in-flight request and sends DISCONNECT")
    func gracefulWorkerStop() async throws {
        // Slow heartbeats: if the worker merely vanished, the broker would take 15 s to notice.
        let slow = MajordomoConfiguration(
            heartbeatInterval: .seconds(5), heartbeatLiveness: 3, reconnectInitial: .milliseconds(50),
            reconnectMax: .seconds(1), linger: .milliseconds(200))
        let broker = try await RunningBroker.start(brokerConfiguration(timing: slow, requestExpiry: .seconds(5)))
        let started = AsyncStream<Void>.makeStream()
        let worker = MajordomoWorker(
            brokerEndpoint: broker.endpoint, service: "drain", concurrency: 1, configuration: slow,
            logger: testLogger("worker")
        ) { frames in
            started.continuation.yield()
            try? await Task.sleep(for: .milliseconds(500))
            return await echoHandler()(frames)
        }
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [], logger: testLogger("group"))
        let groupTask = Task { try await group.run() }
        let client = makeClient(broker.endpoint, timing: slow)
        #expect(await eventually { try await client.serviceAvailable("drain", timeout: .seconds(2)) })

        async let reply = call(client, "drain", payload: #"{"x":true}"#, requestID: "last-one")
        var iterator = started.stream.makeAsyncIterator()
        await iterator.next()
        await group.triggerGracefulShutdown()
        let answer = try await reply
        #expect(answer.status == 200)
        #expect(answer.requestID == "last-one")
        try await groupTask.value
        #expect(try await client.serviceAvailable("drain", timeout: .seconds(5)) == false)
        await client.shutdown()
        await broker.stop()
    }

    @Test("client request times out, and cancellation ends the wait")
    func timeoutAndCancellation() async throws {
        let broker = try await RunningBroker.start(brokerConfiguration(requestExpiry: .seconds(30)))
        let client = makeClient(broker.endpoint)
        await #expect(throws: MajordomoError.timeout) {
            _ = try await call(client, "void", timeout: .milliseconds(200))
        }
        let waiting = Task { try await call(client, "void", timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        await client.shutdown()
        await #expect(throws: MajordomoError.stopped) { _ = try await call(client, "void") }
        await broker.stop()
    }
}
