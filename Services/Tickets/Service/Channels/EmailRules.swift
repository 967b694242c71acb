import Foundation

/// The pure rules of inbound email (no database): auto-reply and bounce detection, Message-ID parsing, ticket
/// numbers in subjects and HTML to plain text. docs/architecture.md "Channels" lists them.
public enum EmailRules {
    // MARK: Auto-replies and bounces

    /// Why a message is an auto-reply or a bounce, or nil for mail a person wrote. `headers` are matched by name
    /// without regard to case.
    public static func automaticReason(from: String, subject: String, headers: [String: String]) -> String? {
        var byName: [String: String] = [:]
        for (name, value) in headers {
            byName[name.lowercased()] = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        }
        if let value = byName["auto-submitted"], !value.isEmpty, value != "no" {
            return "Auto-Submitted: \(value)"
        }
        for name in ["x-autoreply", "x-autorespond", "x-auto-response-suppress"] where byName[name] != nil {
            return "\(name) header"
        }
        if let value = byName["precedence"], ["bulk", "junk", "auto_reply", "list"].contains(value) {
            return "Precedence: \(value)"
        }
        if let value = byName["content-type"], value.hasPrefix("multipart/report") {
            return "Content-Type: multipart/report (a delivery report)"
        }
        let local = (from.split(separator: "@").first.map(String.init) ?? from).lowercased()
        if automaticSenders.contains(local) { return "sender \(local)@ is automatic" }
        let title = subject.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if let prefix = automaticSubjects.first(where: { title.hasPrefix($0) }) {
            return "subject starts with \"\(prefix)\""
        }
        return nil
    }

    /// Local parts of automatic senders.
    static let automaticSenders: Set<String> = [
        "mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply", "donotreply", "bounce", "bounces",
    ]

    /// Subject beginnings of automatic replies and delivery reports (lower case).
    static let automaticSubjects: [String] = [
        "auto:", "automatic reply", "autoreply", "auto-reply", "auto reply", "out of office", "out of the office",
        "undeliverable", "undelivered mail", "delivery status notification", "delivery failure",
        "mail delivery failed", "mail delivery failure", "returned mail", "failure notice",
    ]

    // MARK: Message-IDs

    /// A Message-ID in its stored form: trimmed, inside angle brackets (`<id@host>`).
    public static func normalizedMessageID(_ value: String) -> String {
        var text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<") { text.removeFirst() }
        if text.hasSuffix(">") { text.removeLast() }
        return "<\(text.trimmingCharacters(in: .whitespaces))>"
    }

    /// The Message-IDs a reply names, most relevant first: `In-Reply-To`, then `References` from the newest (last)
    /// to the oldest. Without duplicates.
    public static func threadReferences(inReplyTo: String?, references: String?) -> [String] {
        var result: [String] = []
        func add(_ raw: String) {
            let id = normalizedMessageID(raw)
            if id.count > 2, !result.contains(id) { result.append(id) }
        }
        for id in messageIDs(in: inReplyTo ?? "") { add(id) }
        for id in messageIDs(in: references ?? "").reversed() { add(id) }
        return Array(result.prefix(100))
    }

    /// The Message-IDs in a header value: the `<...>` tokens, or the white-space separated words without brackets.
    static func messageIDs(in header: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            ids.append(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        if !ids.isEmpty { return ids }
        return header.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
    }

    /// The Message-ID of an agent's reply on an email ticket: `<ticket-1234-<uuid>@concierge>`.
    public static func outgoingMessageID(ticketNumber: Int64, messageID: UUID) -> String {
        "<ticket-\(ticketNumber)-\(messageID.uuidString.lowercased())@concierge>"
    }

    // MARK: Ticket numbers in subjects

    /// Ticket numbers a subject names, in order: `[#1234]`, `#1234` after the word ticket (`Ticket #1234`,
    /// `ticket 1234`), and a bare `#1234` in brackets or parentheses.
    public static func ticketNumbers(inSubject subject: String) -> [Int64] {
        let text = subject.lowercased()
        var numbers: [Int64] = []
        let patterns = [
            #"\[\s*#?\s*(\d{1,18})\s*\]"#, #"\(\s*#\s*(\d{1,18})\s*\)"#,
            #"\bticket\s*(?:no\.?|number)?\s*#?\s*(\d{1,18})\b"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            for match in regex.matches(in: text, range: range) {
                guard let digits = Range(match.range(at: 1), in: text), let number = Int64(text[digits]) else {
                    continue
                }
                if !numbers.contains(number) { numbers.append(number) }
            }
        }
        return numbers
    }

    // MARK: HTML to text

    /// Plain text of an HTML body: scripts, styles and the head dropped, block elements and `<br>` as line breaks,
    /// other tags removed, basic entities decoded, runs of blank lines and spaces collapsed.
    public static func plainText(fromHTML html: String) -> String {
        var text = html
        for pattern in [#"<!--[\s\S]*?-->"#, #"<(script|style|head|title)\b[^>]*>[\s\S]*?</\1\s*>"#] {
            text = replace(pattern, in: text, with: "")
        }
        text = replace(#"<br\s*/?>"#, in: text, with: "\n")
        text = replace(#"<li\b[^>]*>"#, in: text, with: "\n- ")
        text = replace(
            #"</?(p|div|tr|table|h[1-6]|ul|ol|blockquote|pre|section|article|header|footer)\b[^>]*>"#, in: text,
            with: "\n")
        text = replace(#"<[^>]*>"#, in: text, with: "")
        text = decodeEntities(text)
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" }).joined(separator: " ")
        }
        var result: [String] = []
        for line in lines {
            if line.isEmpty, result.last?.isEmpty ?? true { continue }
            result.append(line)
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n")
    }

    /// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#39;`, `&nbsp;` and numeric references (`&#233;`, `&#xE9;`).
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
            "hellip": "…", "euro": "€", "copy": "©", "reg": "®", "rsquo": "’", "lsquo": "‘", "rdquo": "”",
            "ldquo": "“",
        ]
        guard let regex = try? NSRegularExpression(pattern: #"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});"#)
        else { return text }
        var result = ""
        var last = text.startIndex
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let whole = Range(match.range, in: text), let name = Range(match.range(at: 1), in: text) else {
                continue
            }
            result += text[last..<whole.lowerBound]
            let entity = String(text[name])
            var decoded: String?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if entity.hasPrefix("#") {
                decoded = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                decoded = named[entity.lowercased()]
            }
            result += decoded ?? String(text[whole])
            last = whole.upperBound
        }
        result += text[last...]
        return result
    }

    private static func replace(_ pattern: String, in text: String, with template: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return text }
        return regex.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    /// The body of an inbound email: its text part, else its HTML as text; cut to the message limit.
    public static func body(text: String?, html: String?) -> String {
        var body = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if body.isEmpty, let html { body = plainText(fromHTML: html) }
        if body.isEmpty { body = "(no text)" }
        return body.count > 65_536 ? String(body.prefix(65_536)) : body
    }

    /// A ticket subject from an email subject: trimmed, `(no subject)` when blank, at most 250 characters.
    public static func ticketSubject(_ subject: String) -> String {
        let trimmed = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "(no subject)" }
        return trimmed.count > 250 ? String(trimmed.prefix(250)) : trimmed
    }
}
