struct LowerCaseLinkedIDs: Migration {
    let version = 23
    let name = "lower_case_linked_ids"
    let statements = [
        // Link and unlink events once wrote the linked object's id in upper case where every
        // other row writes ids in lower case: one spelling, so history can be joined to records.
        "UPDATE ticket_events SET to_value = LOWER(to_value) WHERE kind = 'linked' AND to_value <> LOWER(to_value)",
        "UPDATE ticket_events SET from_value = LOWER(from_value) WHERE kind = 'unlinked' AND from_value <> LOWER(from_value)",
    ]
}
