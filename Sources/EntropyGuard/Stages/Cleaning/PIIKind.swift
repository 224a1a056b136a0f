import Foundation

/// A kind of personally identifiable information the sanitizer can mask.
///
/// Raw values are the names used in configuration files and reports (`credit_card`, not `creditCard`).
public enum PIIKind: String, CaseIterable, Sendable {
    case email, phone, ssn, credit_card, ip, iban

    /// The text that replaces a masked span of this kind.
    public var token: String {
        switch self {
        case .email: return "[EMAIL_REMOVED]"
        case .phone: return "[PHONE_REMOVED]"
        case .ssn: return "[SSN_REMOVED]"
        case .credit_card: return "[CREDIT_CARD_REMOVED]"
        case .ip: return "[IP_REMOVED]"
        case .iban: return "[IBAN_REMOVED]"
        }
    }

    /// Every kind (the default selection), built once.
    public static let all: Set<PIIKind> = Set(allCases)

    /// Overlap priority, highest first: when two detected spans overlap, the kind that comes earlier in
    /// this list wins and the other span is dropped whole (never cut), so no partial number leaks.
    /// Email first because addresses contain digits and dots that look like everything else; IBAN and
    /// card before SSN/phone because they are longer, checksum-validated numbers; IP before phone
    /// because "192.168.1.10" also has a phone-like digit/dot shape.
    public static let priorityOrder: [PIIKind] = [.email, .iban, .credit_card, .ssn, .ip, .phone]
}

extension PIIKind {
    /// Parses a comma-separated list of kind names ("email,phone"), as given on the command line;
    /// "all" means every kind and "none" (or an empty string) none. Spaces around names are ignored.
    public static func parseList(_ arg: String) throws -> Set<PIIKind> {
        var kinds = Set<PIIKind>()
        for raw in arg.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces)
            switch name {
            case "all": kinds.formUnion(allCases)
            case "none", "": continue
            default:
                guard let kind = PIIKind(rawValue: name) else {
                    throw PIIKindError(message: "unknown PII kind '\(name)' (expected one of: "
                                       + allCases.map(\.rawValue).joined(separator: ", ") + ", all, none)")
                }
                kinds.insert(kind)
            }
        }
        return kinds
    }
}

/// An unknown PII kind name.
public struct PIIKindError: Error, CustomStringConvertible, Equatable {
    /// Names the bad kind and lists the valid ones.
    public let message: String
    public var description: String { message }
}
