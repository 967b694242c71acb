import Foundation

/// What an inbound contact became (`tickets.receive_email`, `tickets.receive_contact`).
public enum ChannelOutcome: String, Codable, Sendable, CaseIterable {
    /// A new ticket with this message as its first.
    case created
    /// A message on an existing ticket (which a customer reply may have reopened).
    case appended
    /// The ticket it answers was closed: a follow-up ticket took the message.
    case followUp = "follow_up"
    /// An auto-reply or a bounce (or our own mail coming back): nothing was created.
    case ignored
    /// This Message-ID was received before: nothing was created; the ids are those of the first delivery.
    case duplicate
}

/// The answer of `tickets.receive_email` and `tickets.receive_contact`.
public struct ChannelReceipt: Codable, Sendable, Equatable {
    public var outcome: ChannelOutcome
    public var ticketID: UUID?
    /// The ticket message that holds the contact.
    public var messageID: UUID?
    public var customerID: UUID?
    /// True when the contact was unknown and its customer was created now.
    public var customerCreated: Bool?
    /// What the first delivery did, for `duplicate`.
    public var originalOutcome: ChannelOutcome?
    /// Why it was ignored.
    public var reason: String?

    public init(
        outcome: ChannelOutcome, ticketID: UUID? = nil, messageID: UUID? = nil, customerID: UUID? = nil,
        customerCreated: Bool? = nil, originalOutcome: ChannelOutcome? = nil, reason: String? = nil
    ) {
        self.outcome = outcome
        self.ticketID = ticketID
        self.messageID = messageID
        self.customerID = customerID
        self.customerCreated = customerCreated
        self.originalOutcome = originalOutcome
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case outcome, reason
        case ticketID = "ticket_id"
        case messageID = "message_id"
        case customerID = "customer_id"
        case customerCreated = "customer_created"
        case originalOutcome = "original_outcome"
    }
}

/// `tickets.receive_email`: one inbound email as the mail provider parsed it (staff and integration keys, services).
///
/// Auto-replies and bounces are answered `ignored`; a Message-ID received before is a `duplicate`; a reply threads
/// onto its ticket by `In-Reply-To`/`References`, else by a ticket number in the subject (`[#1234]`) of the sender's
/// own ticket; anything else opens a ticket on channel `email` for the sender, who is matched (or created) through
/// `customers.resolve_contact`. Rules: docs/architecture.md "Channels".
public struct ReceiveEmail: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "from", "from_name", "to", "subject", "text", "html", "message_id", "in_reply_to", "references", "headers",
        "attachments",
    ]
    public static let nestedFields: [String: Set<String>] = [
        "attachments": ["name", "content_type", "size_bytes", "url"]
    ]
    /// The sender's address (`ada@example.com`, without the display name).
    public var from: String
    public var fromName: String?
    /// The address it was sent to (the store's support address).
    public var to: String
    /// May be empty: mail without a subject exists.
    public var subject: String
    public var text: String?
    public var html: String?
    /// The `Message-ID` header (`<abc@mail.example>`; the angle brackets may be left out).
    public var messageID: String
    public var inReplyTo: String?
    /// The `References` header: Message-IDs separated by white space, oldest first.
    public var references: String?
    /// Other headers by name (case-insensitive), for the auto-reply checks.
    public var headers: [String: String]?
    public var attachments: [Attachment]?

    public init(
        from: String, fromName: String? = nil, to: String, subject: String, text: String? = nil, html: String? = nil,
        messageID: String, inReplyTo: String? = nil, references: String? = nil, headers: [String: String]? = nil,
        attachments: [Attachment]? = nil
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.headers = headers
        self.attachments = attachments
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.email(from, field: "from") + Validate.email(to, field: "to")
        issues += Validate.optionalText(fromName, field: "from_name", max: 200)
        if subject.count > 998 || subject.contains("\u{0}") {
            issues.append(FieldIssue("subject", "must be at most 998 characters, without NUL"))
        }
        issues += Validate.text(messageID, field: "message_id", max: 998)
        if messageID.contains(where: \.isWhitespace) {
            issues.append(FieldIssue("message_id", "must be one Message-ID, without spaces"))
        }
        issues += Validate.optionalText(inReplyTo, field: "in_reply_to", max: 998)
        if let references, references.count > 32_768 || references.contains("\u{0}") {
            issues.append(FieldIssue("references", "must be at most 32768 characters, without NUL"))
        }
        let hasText = !(text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        let hasHTML = !(html ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        if !hasText, !hasHTML { issues.append(FieldIssue("text", "give text or html")) }
        for (field, value) in [("text", text), ("html", html)] {
            if let value, value.count > 1_048_576 || value.contains("\u{0}") {
                issues.append(FieldIssue(field, "must be at most 1048576 characters, without NUL"))
            }
        }
        if let headers {
            if headers.count > 200 { issues.append(FieldIssue("headers", "must have at most 200 headers")) }
            for (name, value) in headers.sorted(by: { $0.key < $1.key })
            where name.isEmpty || name.count > 200 || value.count > 8192 {
                issues.append(FieldIssue("headers.\(name)", "names of 1 to 200 characters, values of at most 8192"))
            }
        }
        return issues + AddTicketMessage.validate(attachments)
    }

    enum CodingKeys: String, CodingKey {
        case from, to, subject, text, html, references, headers, attachments
        case fromName = "from_name"
        case messageID = "message_id"
        case inReplyTo = "in_reply_to"
    }
}

/// How a contact outside email can be reached: at least one of email, phone and social handle.
public struct ChannelContact: Codable, Sendable, Equatable {
    public var email: String?
    public var phone: String?
    public var social: SocialHandle?
    public var name: String?

    public init(email: String? = nil, phone: String? = nil, social: SocialHandle? = nil, name: String? = nil) {
        self.email = email
        self.phone = phone
        self.social = social
        self.name = name
    }
}

/// `tickets.receive_contact`: a query arriving by phone, social network, web form or chat (staff keys, services).
/// The contact is matched to one customer by email, phone or social handle through `customers.resolve_contact`
/// (created when unknown); then a new ticket opens on `channel`, or, with `ticket_id`, the message is added to that
/// ticket of the same customer (reopen and follow-up rules as for any customer reply).
public struct ReceiveContact: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "channel", "contact", "subject", "message", "order_reference", "ticket_id", "attachments",
    ]
    public static let nestedFields: [String: Set<String>] = [
        "contact": ["email", "phone", "social", "name"],
        "attachments": ["name", "content_type", "size_bytes", "url"],
    ]
    /// The channels this operation takes (email has `tickets.receive_email`).
    public static let channels: [ContactChannel] = [.phone, .social, .webForm, .chat]
    public var channel: ContactChannel
    public var contact: ChannelContact
    /// Required for a new ticket; ignored with `ticket_id`.
    public var subject: String?
    public var message: String
    public var orderReference: String?
    public var ticketID: UUID?
    public var attachments: [Attachment]?

    public init(
        channel: ContactChannel, contact: ChannelContact, subject: String?, message: String,
        orderReference: String? = nil, ticketID: UUID? = nil, attachments: [Attachment]? = nil
    ) {
        self.channel = channel
        self.contact = contact
        self.subject = subject
        self.message = message
        self.orderReference = orderReference
        self.ticketID = ticketID
        self.attachments = attachments
    }

    /// The contact as `customers.resolve_contact` takes it.
    public var resolveContact: ResolveContact {
        ResolveContact(email: contact.email, phone: contact.phone, social: contact.social, name: contact.name)
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !Self.channels.contains(channel) {
            issues.append(
                FieldIssue("channel", "must be one of phone, social, web_form, chat (email: /v1/channels/email)"))
        }
        if contact.email == nil, contact.phone == nil, contact.social == nil {
            issues.append(FieldIssue("contact", "give at least one of email, phone and social"))
        }
        if channel == .phone, contact.phone == nil {
            issues.append(FieldIssue("contact.phone", "is required for channel phone"))
        }
        if channel == .social, contact.social == nil {
            issues.append(FieldIssue("contact.social", "is required for channel social"))
        }
        if let email = contact.email { issues += Validate.email(email, field: "contact.email") }
        if let phone = contact.phone { issues += Validate.loosePhone(phone, field: "contact.phone") }
        if let social = contact.social {
            issues += Validate.text(social.handle, field: "contact.social.handle", max: 100)
        }
        issues += Validate.optionalText(contact.name, field: "contact.name", max: 200)
        if ticketID == nil, subject == nil { issues.append(FieldIssue("subject", "is required for a new ticket")) }
        issues += Validate.optionalText(subject, field: "subject", max: 250)
        issues += Validate.text(message, field: "message", max: 65_536)
        issues += Validate.optionalText(orderReference, field: "order_reference", max: 64)
        return issues + AddTicketMessage.validate(attachments)
    }

    enum CodingKeys: String, CodingKey {
        case channel, contact, subject, message, attachments
        case orderReference = "order_reference"
        case ticketID = "ticket_id"
    }
}
