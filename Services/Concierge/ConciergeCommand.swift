import ArgumentParser

/// `concierge`: the command-line tool for people running Concierge.
@main
struct ConciergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concierge",
        abstract: "Run and administer a Concierge customer-service suite.",
        subcommands: [UpCommand.self, MigrateCommand.self, KeysCommand.self, EventsCommand.self])
}
