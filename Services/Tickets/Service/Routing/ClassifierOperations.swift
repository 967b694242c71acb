import Contracts
import Foundation
import ServiceRuntime
import Wire

/// `tickets.classifier_status` (staff) and `tickets.train_classifier` (admin): the category classifier.
enum ClassifierOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let store = CategoryModelStore()
        router.query(Operation.Tickets.classifierStatus, NoInput.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await store.status(on: $0, logger: context.logger) }
        }
        router.command(Operation.Tickets.trainClassifier, NoInput.self, status: 200) { _, context, connection in
            guard [.admin, .service].contains(context.principal.role) else {
                throw Problem.forbidden("only admin keys may train the classifier")
            }
            return try await store.train(on: connection, logger: context.logger)
        }
    }
}
