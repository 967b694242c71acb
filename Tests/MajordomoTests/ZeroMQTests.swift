import Foundation
import Testing
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

@Suite("ZeroMQ layer", .serialized)
struct ZeroMQTests {
    @Test("multipart round trip keeps a >1 MiB frame and empty frames intact")
    func multipartRoundTrip() async throws {
        let thread = try SocketThread(name: "zmq-test", logger: testLogger("zmq"))
        thread.start()
        let big = (0..<(1_500_000)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let sent: [[UInt8]] = [[], Array("hello".utf8), big, [], [0, 1, 2]]
        let (received, reply) = try await thread.run { loop -> ([[UInt8]], [[UInt8]]) in
            let router = try loop.makeSocket(.router, linger: .zero)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint()
            let dealer = try loop.makeSocket(.dealer, linger: .zero)
            try dealer.set(.routingID(Array("peer-1".utf8)))
            try dealer.connect(endpoint)
            try dealer.send(sent, dontWait: false)
            guard try zmqPoll([(.socket(router), .readable)], timeout: .seconds(5))[0].contains(.readable),
                let message = try router.receive()
            else { return ([], []) }
            try router.send(message, dontWait: false)
            guard try zmqPoll([(.socket(dealer), .readable)], timeout: .seconds(5))[0].contains(.readable),
                let echoed = try dealer.receive()
            else { return (message, []) }
            return (message, echoed)
        }
        await thread.shutdown()
        #expect(received.first == Array("peer-1".utf8))
        #expect(Array(received.dropFirst()) == sent)
        #expect(reply == sent)
    }

    @Test("receive without a message returns nil; errors carry errno and zmq_strerror text")
    func errorMapping() async throws {
        let thread = try SocketThread(name: "zmq-errors", logger: testLogger("zmq"))
        thread.start()
        let outcome = try await thread.run { loop -> (Bool, ZMQError?, ZMQError?) in
            let socket = try loop.makeSocket(.dealer, linger: .zero)
            let empty = try socket.receive() == nil
            var protocolError: ZMQError?
            do { try socket.bind("bogus://nowhere") } catch let error as ZMQError { protocolError = error }
            var closedError: ZMQError?
            socket.close()
            do { try socket.connect("tcp://127.0.0.1:1") } catch let error as ZMQError { closedError = error }
            return (empty, protocolError, closedError)
        }
        await thread.shutdown()
        #expect(outcome.0)
        let protocolError = try #require(outcome.1)
        #expect(protocolError.code == EPROTONOSUPPORT)
        #expect(!protocolError.message.isEmpty)
        #expect(protocolError.description.contains("zmq_bind"))
        #expect(outcome.2?.code == ENOTSOCK)
    }

    @Test("socket options round trip and ZMQ_LAST_ENDPOINT resolves wildcard ports")
    func optionsAndEndpoint() async throws {
        let thread = try SocketThread(name: "zmq-options", logger: testLogger("zmq"))
        thread.start()
        let (linger, hwm, endpoint) = try await thread.run { loop -> (Int32, Int32, String) in
            let socket = try loop.makeSocket(.router, linger: .milliseconds(250))
            try socket.set(.sendHighWaterMark(1234))
            try socket.set(.routerMandatory(true))
            try socket.set(.immediate(true))
            try socket.set(.reconnectInterval(.milliseconds(100)))
            try socket.set(.reconnectIntervalMax(.seconds(2)))
            try socket.bind("tcp://127.0.0.1:*")
            let endpoint = try socket.lastEndpoint()
            try socket.unbind(endpoint)
            return (
                try socket.integerOption(17 /* ZMQ_LINGER */), try socket.integerOption(23 /* ZMQ_SNDHWM */), endpoint
            )
        }
        await thread.shutdown()
        #expect(linger == 250)
        #expect(hwm == 1234)
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))
    }

    @Test("work submitted after shutdown is refused and shutdown joins the thread")
    func shutdownRefusesWork() async throws {
        let thread = try SocketThread(name: "zmq-shutdown", logger: testLogger("zmq"))
        thread.start()
        let value = try await thread.run { _ in 42 }
        #expect(value == 42)
        await thread.shutdown()
        #expect(!thread.isRunning)
        await #expect(throws: ZMQError.self) { try await thread.run { _ in 1 } }
    }
}
