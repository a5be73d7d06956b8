/// Fixed lists the simulated contact centre draws its people and customers from.
///
/// Names are varied on purpose (accents, apostrophes, hyphens, non-Latin scripts) so pages,
/// sorting and escaping are exercised by the demo itself.
enum Roster {
    static let firstNames = [
        "Ada", "Kwame", "Mei", "Sofia", "Liam", "Aisha", "Mateo", "Yuki", "Olga", "Tunde",
        "Priya", "Lars", "Fatima", "Diego", "Chloé", "Hamid", "Ingrid", "Ravi", "Zoë", "Emeka",
        "Noor", "Pedro", "Hana", "Sean", "Amara", "Björn", "Lucía", "Tariq", "Maja", "Kofi",
        "Anh", "Elif", "Joon-ho", "Grace", "Rafael", "Siobhán", "Wei", "Nadia", "Omar", "Freya",
        "José", "Aroha", "Dmitri", "Leilani", "Thandiwe", "Marek", "Ayumi", "Carmen", "Idris", "Saoirse",
    ]
    static let lastNames = [
        "Okafor", "Mensah", "Chen", "Rossi", "O'Brien", "Khan", "García", "Tanaka", "Ivanova", "Adeyemi",
        "Sharma", "Lindqvist", "Haddad", "Fernández", "Dubois", "Karimi", "Johansson", "Patel", "Müller", "Nwosu",
        "Rahman", "Silva", "Kim", "Murphy", "Diallo", "Eriksson", "Martínez", "Aziz", "Nowak", "Boateng",
        "Nguyen", "Yılmaz", "Park", "Williams", "Costa", "Ní Bhriain", "Zhang", "Petrov", "Farouk", "Larsen",
        "Núñez", "Ngata", "Volkov", "Kahananui", "Dlamini", "Kowalczyk", "Sato", "Ortega", "Bello", "Byrne-Walsh",
    ]

    /// Default teams; each team's queue has the team's name.
    static let teams = ["Billing", "Tech Support", "Sales", "Retention"]

    /// Skills per team (first one always), plus languages any agent may have.
    static let teamSkills: [String: [String]] = [
        "Billing": ["billing", "payments"],
        "Tech Support": ["tech", "broadband", "mobile"],
        "Sales": ["sales", "upgrades"],
        "Retention": ["retention", "billing", "sales"],
    ]
    static let languages = ["spanish", "french", "german", "polish", "mandarin", "arabic"]

    static let chatSources = ["web visitor", "app user", "WhatsApp +447700900123", "Messenger"]
}
