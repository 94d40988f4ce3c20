import RelaisCore
import RelaisStore

extension ReportTable.Value {
    /// The value when it is a whole number.
    var integer: Int? {
        if case let .integer(value) = self { return value }
        return nil
    }

    /// The value when it is a text.
    var text: String? {
        if case let .text(value) = self { return value }
        return nil
    }
}
