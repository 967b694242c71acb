import LoyaltyService
import ServiceRuntime

try await ServiceMain.run(try LoyaltyService.definition())
