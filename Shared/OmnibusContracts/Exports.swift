// The wire format (envelope, timestamps, topics, the JSON coding every peer uses) is part
// of the contract every channel shares; importing the contract brings it along.
@_exported import OmnibusWire
