import ArgumentParser
import Logging

/// `--log-level trace|debug|info|notice|warning|error|critical`, for services and tools.
extension Logger.Level: @retroactive ExpressibleByArgument {}
