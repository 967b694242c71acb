/// A ticket's priority, as the helpdesk names it in JSON.
public enum SLAPriority: String, Codable, Sendable, CaseIterable {
    /// Low priority.
    case low
    /// Normal priority (the default for new tickets).
    case normal
    /// High priority.
    case high
    /// Urgent priority.
    case urgent
}
