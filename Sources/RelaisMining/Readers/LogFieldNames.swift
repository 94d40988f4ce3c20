/// The fields a user names for a log (CSV columns or XES keys); those not named keep the
/// standard names (pm4py's for CSV, the XES extensions' for XES).
public struct LogFieldNames: Sendable, Equatable {
    public var caseID: String?
    public var activity: String?
    public var timestamp: String?
    public var resource: String?
    public var group: String?

    public init(caseID: String? = nil, activity: String? = nil, timestamp: String? = nil, resource: String? = nil, group: String? = nil) {
        self.caseID = caseID
        self.activity = activity
        self.timestamp = timestamp
        self.resource = resource
        self.group = group
    }

    public var csvColumns: CSVEventLog.Columns {
        var columns = CSVEventLog.Columns.standard
        if let caseID { columns.caseID = caseID }
        if let activity { columns.activity = activity }
        if let timestamp { columns.timestamp = timestamp }
        if let resource { columns.resource = resource }
        columns.group = group
        return columns
    }

    public var xesKeys: XESEventLog.Keys {
        var keys = XESEventLog.Keys()
        if let caseID { keys.caseID = caseID }
        if let activity { keys.activity = activity }
        if let timestamp { keys.timestamp = timestamp }
        if let resource { keys.resource = resource }
        if let group { keys.group = group }
        return keys
    }
}
