import Foundation
import Logging

/// Sets up swift-log once per process: structured lines on standard error, at the configured level.
public enum LoggingBootstrap {
    private static let once: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace
            return handler
        }
    }()

    /// A logger for `label` at `level`, bootstrapping the logging system on first use.
    public static func logger(label: String, level: Logger.Level) -> Logger {
        _ = once
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
