import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension EndToEnd {
    @Suite struct GracefulStop {
        /// SIGTERM to every process at once: each one exits with status 0.
        @Test func sigtermStopsEveryProcessCleanly() async throws {
            try await SuiteProcesses.run { suite in
                let customerID = try await suite.createCustomer()
                _ = try await suite.openTicket(customerID: customerID)

                let names = suite.names
                for name in names.reversed() { try suite.send(SIGTERM, to: name) }
                var statuses: [String: Int32] = [:]
                for name in names { statuses[name] = try await suite.waitForExit(name, timeout: .seconds(15)) }
                let unclean = statuses.filter { $0.value != 0 }
                if !unclean.isEmpty { suite.printLogTails() }
                #expect(unclean.isEmpty, "processes that did not exit with 0: \(unclean)")
            }
        }
    }
}
