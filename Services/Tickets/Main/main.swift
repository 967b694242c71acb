import ServiceRuntime
import TicketsService

try await ServiceMain.run(try TicketsService.definition())
