import Contracts
import Foundation
import Wire

/// A frame a chat client sends: a JSON object whose `type` says what it is (docs/protocol.md "Live chat").
///
/// Every field but `type` is optional here; each type checks the fields it needs and answers an `error` frame when
/// one is missing, so a bad frame never closes the connection.
struct ChatClientFrame: Decodable, Sendable {
    var type: String
    /// `open`: the new ticket's subject.
    var subject: String?
    /// `open`: the first message.
    var message: String?
    /// `resume` and `join`: the ticket to attach to.
    var ticketID: String?
    /// `message`: the text.
    var body: String?
    /// `open` and `message`: the client's id for this frame, the idempotency key of what it creates.
    var clientID: String?

    enum CodingKeys: String, CodingKey {
        case type, subject, message, body
        case ticketID = "ticket_id"
        case clientID = "client_id"
    }

    /// The frame in `text`, or the reason it is not one.
    static func parse(_ text: String) -> Result<ChatClientFrame, ChatError> {
        guard let data = text.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data), object is [String: Any]
        else {
            return .failure(.init(code: "malformed_frame", detail: "a frame is a JSON object with a string 'type'"))
        }
        do {
            return .success(try JSONDecoder().decode(ChatClientFrame.self, from: data))
        } catch DecodingError.keyNotFound {
            return .failure(.init(code: "malformed_frame", detail: "a frame is a JSON object with a string 'type'"))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(.init(code: "malformed_frame", detail: "'\(field)' must be a string"))
        } catch {
            return .failure(.init(code: "malformed_frame", detail: "a frame is a JSON object with a string 'type'"))
        }
    }
}

/// An `error` frame's content: a stable code, a human-readable detail and, for problems a service answered, its
/// HTTP status and field errors.
struct ChatError: Error, Sendable, Equatable {
    var code: String
    var detail: String
    var status: Int?
    var errors: [Problem.FieldError]?
    /// The `client_id` of the frame that failed, when it had one.
    var clientID: String?

    init(code: String, detail: String, status: Int? = nil, errors: [Problem.FieldError]? = nil) {
        self.code = code
        self.detail = detail
        self.status = status
        self.errors = errors
    }

    init(_ problem: Problem) {
        self.init(
            code: problem.code, detail: problem.detail ?? problem.title, status: problem.status,
            errors: problem.errors)
    }
}

/// A frame the gateway sends, encoded as JSON text with sorted keys (`WireJSON`).
enum ChatServerFrame: Sendable {
    /// Attached to `ticket` (after `open`, `resume` or `join`); its conversation as this key may see it.
    case ready(Ticket)
    /// A new message of the ticket; `clientID` only on the copy sent to the connection that wrote it.
    case message(TicketMessage, clientID: String?)
    /// Someone else on the ticket is typing.
    case typing(AuthorType)
    case pong
    case error(ChatError)

    private struct Encoded: Encodable {
        var type: String
        var ticket: Ticket?
        var message: TicketMessage?
        var clientID: String?
        var authorType: AuthorType?
        var code: String?
        var detail: String?
        var status: Int?
        var errors: [Problem.FieldError]?

        enum CodingKeys: String, CodingKey {
            case type, ticket, message, code, detail, status, errors
            case clientID = "client_id"
            case authorType = "author_type"
        }
    }

    /// The frame as JSON text.
    var text: String {
        var encoded = Encoded(type: "")
        switch self {
        case .ready(let ticket):
            encoded.type = "ready"
            encoded.ticket = ticket
        case .message(let message, let clientID):
            encoded.type = "message"
            encoded.message = message
            encoded.clientID = clientID
        case .typing(let author):
            encoded.type = "typing"
            encoded.authorType = author
        case .pong:
            encoded.type = "pong"
        case .error(let error):
            encoded.type = "error"
            encoded.code = error.code
            encoded.detail = error.detail
            encoded.status = error.status
            encoded.errors = error.errors
            encoded.clientID = error.clientID
        }
        guard let data = try? WireJSON.encoder.encode(encoded) else {
            return #"{"code":"internal","detail":"unencodable frame","type":"error"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}
