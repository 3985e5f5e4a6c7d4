import OmnibusConfiguration

/// The endpoints type lives with the suite configuration; this name keeps service code
/// from having to import that module for it.
public typealias ServiceEndpoints = OmnibusConfiguration.ServiceEndpoints
