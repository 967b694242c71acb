import Foundation

/// The operations each service answers over the broker (see docs/protocol.md).
public enum Operation {
    public enum Customers {
        public static let service = "customers"
        public static let create = "customers.create"
        public static let get = "customers.get"
        public static let findByEmail = "customers.find_by_email"
        public static let timeline = "customers.timeline"
        // Store platforms and orders
        public static let receiveDelivery = "customers.receive_delivery"
        public static let getOrder = "customers.get_order"
        public static let findOrder = "customers.find_order"
        public static let listOrders = "customers.list_orders"
        public static let listDeliveries = "customers.list_deliveries"
        public static let retryDelivery = "customers.retry_delivery"
        // Profile, identities, search, segments
        public static let resolveContact = "customers.resolve_contact"
        public static let update = "customers.update"
        public static let search = "customers.search"
        public static let merge = "customers.merge"
        public static let listSegments = "customers.list_segments"
        public static let defineSegment = "customers.define_segment"
        public static let segmentMembers = "customers.segment_members"
        // Privacy
        public static let setConsent = "customers.set_consent"
        public static let exportCustomer = "customers.export_customer"
        public static let erase = "customers.erase"
        public static let erasureStatus = "customers.erasure_status"
        public static let listDataRequests = "customers.list_data_requests"
        public static let completeDataRequest = "customers.complete_data_request"
        public static let getDataRequest = "customers.get_data_request"
    }

    public enum Tickets {
        public static let service = "tickets"
        public static let create = "tickets.create"
        public static let get = "tickets.get"
        public static let listByCustomer = "tickets.list_by_customer"
        public static let addMessage = "tickets.add_message"
        public static let solve = "tickets.solve"
        public static let update = "tickets.update"
        public static let merge = "tickets.merge"
        public static let split = "tickets.split"
        public static let createAgent = "tickets.create_agent"
        public static let updateAgent = "tickets.update_agent"
        public static let listAgents = "tickets.list_agents"
        public static let defineGroup = "tickets.define_group"
        public static let listGroups = "tickets.list_groups"
        public static let queue = "tickets.queue"
        public static let defineSLA = "tickets.define_sla"
        public static let getSLA = "tickets.get_sla"
        public static let ticketSLA = "tickets.ticket_sla"
        public static let defineMacro = "tickets.define_macro"
        public static let listMacros = "tickets.list_macros"
        public static let applyMacro = "tickets.apply_macro"
        public static let defineTrigger = "tickets.define_trigger"
        public static let defineAutomation = "tickets.define_automation"
        public static let listRules = "tickets.list_rules"
        public static let exportCustomer = "tickets.export_customer"
        // Channels
        public static let receiveEmail = "tickets.receive_email"
        public static let receiveContact = "tickets.receive_contact"
        // Feedback (CSAT, NPS) and KPIs
        public static let requestNPS = "tickets.request_nps"
        public static let getCSAT = "tickets.get_csat"
        public static let answerCSAT = "tickets.answer_csat"
        public static let getNPS = "tickets.get_nps"
        public static let answerNPS = "tickets.answer_nps"
        public static let kpis = "tickets.kpis"
    }

    public enum Returns {
        public static let service = "returns"
        public static let create = "returns.create"
        public static let get = "returns.get"
        public static let exportCustomer = "returns.export_customer"
    }

    public enum Loyalty {
        public static let service = "loyalty"
        public static let getAccount = "loyalty.get_account"
        public static let exportCustomer = "loyalty.export_customer"
    }

    /// Every service name, in the order `/readyz` reports them.
    public static let services = [Customers.service, Tickets.service, Returns.service, Loyalty.service]
}

/// The input of operations that take only an id.
public struct ByID: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id"]
    public var id: UUID
    public init(id: UUID) { self.id = id }
}

extension Operation {
    /// The knowledge base, answered by the tickets service (it owns the helpdesk).
    public enum KnowledgeBase {
        public static let service = Operation.Tickets.service
        public static let createArticle = "tickets.kb_create_article"
        public static let updateArticle = "tickets.kb_update_article"
        public static let getArticle = "tickets.kb_get_article"
        public static let search = "tickets.kb_search"
        public static let suggest = "tickets.kb_suggest"
        public static let recordDeflection = "tickets.kb_record_deflection"
        public static let articleStats = "tickets.kb_article_stats"
    }
}
