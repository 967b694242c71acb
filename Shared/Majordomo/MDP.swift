/// Frame constants and builders for MDP/0.1 (ZeroMQ RFC 7) and MMI (RFC 8). See docs/protocol.md.
public enum MDP {
    /// Protocol header of client messages.
    public static let clientHeader: [UInt8] = Array("MDPC01".utf8)
    /// Protocol header of worker messages.
    public static let workerHeader: [UInt8] = Array("MDPW01".utf8)
    /// Prefix of the service names the broker answers itself (RFC 8).
    public static let mmiPrefix = "mmi."

    /// Worker commands (one byte each on the wire).
    public enum Command: UInt8, Sendable, CustomStringConvertible {
        case ready = 0x01
        case request = 0x02
        case reply = 0x03
        case heartbeat = 0x04
        case disconnect = 0x05

        /// The command frame.
        public var frame: [UInt8] { [rawValue] }

        public var description: String {
            switch self {
            case .ready: "READY"
            case .request: "REQUEST"
            case .reply: "REPLY"
            case .heartbeat: "HEARTBEAT"
            case .disconnect: "DISCONNECT"
            }
        }

        /// Parses a command frame (exactly one byte).
        public init?(frame: [UInt8]) {
            guard frame.count == 1, let command = Command(rawValue: frame[0]) else { return nil }
            self = command
        }
    }

    // MARK: Builders (DEALER side; a ROUTER prepends the peer's routing id)

    /// Client request from a DEALER: `["", MDPC01, service, body...]`.
    public static func clientRequest(service: String, body: [[UInt8]]) -> [[UInt8]] {
        [[], clientHeader, Array(service.utf8)] + body
    }

    /// A worker command from a DEALER: `["", MDPW01, command, extra...]`.
    public static func workerCommand(_ command: Command, _ extra: [[UInt8]] = []) -> [[UInt8]] {
        [[], workerHeader, command.frame] + extra
    }

    /// Worker READY for `service`.
    public static func ready(service: String) -> [[UInt8]] {
        workerCommand(.ready, [Array(service.utf8)])
    }

    /// Worker REPLY: `["", MDPW01, 0x03, client, "", body...]`.
    public static func reply(client: [UInt8], body: [[UInt8]]) -> [[UInt8]] {
        workerCommand(.reply, [client, []] + body)
    }
}

extension Array where Element == UInt8 {
    /// Renders bytes for logs: UTF-8 text when printable, hex otherwise.
    var logDescription: String {
        if let text = String(validating: self, as: UTF8.self),
            text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
        {
            return text
        }
        return "0x"
            + self.map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
    }
}
