"""Word lists the demo company is made of: names, places, industries, job titles."""

from __future__ import annotations

_FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Paul Emily "
    "Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy "
    "Jacob Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna "
    "Larry Pamela Justin Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel "
    "Debra Gregory Rachel Alexander Carolyn Patrick Janet Frank Maria Raymond Olivia Jack "
    "Heather Dennis Helen Jerry Catherine Tyler Diane Aaron Julie Jose Victoria Adam Joyce "
    "Nathan Lauren Henry Kelly Zachary Christina Douglas Ruth Peter Joan Kyle Virginia Noah "
    "Judith Ethan Evelyn Jeremy Hannah Christian Andrea Keith Megan Roger Cheryl Terry "
    "Jacqueline Austin Madison Sean Teresa Gerald Abigail Carl Sophia Dylan Martha Harold "
    "Sara Jordan Gloria Jesse Janice Bryan Kathryn Lawrence Ann Arthur Isabella Gabriel "
    "Judy Bruce Charlotte Logan Julia Billy Grace Joe Amber Alan Alice Juan Jean Elijah "
    "Denise Willie Frances Albert Danielle Wayne Marilyn Randy Natalie Mason Beverly Vincent "
    "Diana Liam Brittany Roy Theresa Bobby Kayla Caleb Alexis Bradley Doris Russell Lori "
    "Lucas Tiffany Wei Mei Hiroshi Yuki Raj Priya Ahmed Fatima Carlos Lucia Miguel Sofia "
    "Dmitri Olga Kwame Ama Sanjay Anjali Jin Soo-jin Omar Leila Mateo Valentina Tariq Aisha"
)
FIRST_NAMES = tuple(_FIRST.split())

_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales "
    "Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar "
    "Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington "
    "Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson "
    "Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes "
    "Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant "
    "Dunn Kelley Spencer Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight "
    "Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Ray Berry Perkins "
    "Hoffman Johnston Matthews Pena Richards Willis Carpenter Lawrence Sandoval Wang Zhang "
    "Liu Singh Shah Kumar Yamamoto Tanaka Kowalski Novak Nowak Okafor Mensah Haddad Khan "
    "Ivanova Petrov Larsen Lindgren O'Connor O'Neil McCarthy Murphy-Lee Van_Dyke"
)
LAST_NAMES = tuple(w.replace("_", " ") for w in _LAST.split())

# (city, state code, state name, first three postal digits)
CITIES = (
    ("Seattle", "WA", "Washington", "981"),
    ("Spokane", "WA", "Washington", "992"),
    ("Portland", "OR", "Oregon", "972"),
    ("Eugene", "OR", "Oregon", "974"),
    ("San Francisco", "CA", "California", "941"),
    ("San Jose", "CA", "California", "951"),
    ("Los Angeles", "CA", "California", "900"),
    ("San Diego", "CA", "California", "921"),
    ("Sacramento", "CA", "California", "958"),
    ("Irvine", "CA", "California", "926"),
    ("Fresno", "CA", "California", "937"),
    ("Las Vegas", "NV", "Nevada", "891"),
    ("Reno", "NV", "Nevada", "895"),
    ("Boise", "ID", "Idaho", "837"),
    ("Salt Lake City", "UT", "Utah", "841"),
    ("Denver", "CO", "Colorado", "802"),
    ("Colorado Springs", "CO", "Colorado", "809"),
    ("Phoenix", "AZ", "Arizona", "850"),
    ("Tucson", "AZ", "Arizona", "857"),
    ("Albuquerque", "NM", "New Mexico", "871"),
    ("Anchorage", "AK", "Alaska", "995"),
    ("Honolulu", "HI", "Hawaii", "968"),
    ("Billings", "MT", "Montana", "591"),
    ("Cheyenne", "WY", "Wyoming", "820"),
    ("Dallas", "TX", "Texas", "752"),
    ("Houston", "TX", "Texas", "770"),
    ("Austin", "TX", "Texas", "787"),
    ("San Antonio", "TX", "Texas", "782"),
    ("Fort Worth", "TX", "Texas", "761"),
    ("Oklahoma City", "OK", "Oklahoma", "731"),
    ("Tulsa", "OK", "Oklahoma", "741"),
    ("Wichita", "KS", "Kansas", "672"),
    ("Omaha", "NE", "Nebraska", "681"),
    ("Sioux Falls", "SD", "South Dakota", "571"),
    ("Fargo", "ND", "North Dakota", "581"),
    ("Minneapolis", "MN", "Minnesota", "554"),
    ("St. Paul", "MN", "Minnesota", "551"),
    ("Des Moines", "IA", "Iowa", "503"),
    ("Kansas City", "MO", "Missouri", "641"),
    ("St. Louis", "MO", "Missouri", "631"),
    ("Little Rock", "AR", "Arkansas", "722"),
    ("New Orleans", "LA", "Louisiana", "701"),
    ("Baton Rouge", "LA", "Louisiana", "708"),
    ("Milwaukee", "WI", "Wisconsin", "532"),
    ("Madison", "WI", "Wisconsin", "537"),
    ("Chicago", "IL", "Illinois", "606"),
    ("Naperville", "IL", "Illinois", "605"),
    ("Indianapolis", "IN", "Indiana", "462"),
    ("Fort Wayne", "IN", "Indiana", "468"),
    ("Detroit", "MI", "Michigan", "482"),
    ("Grand Rapids", "MI", "Michigan", "495"),
    ("Ann Arbor", "MI", "Michigan", "481"),
    ("Columbus", "OH", "Ohio", "432"),
    ("Cleveland", "OH", "Ohio", "441"),
    ("Cincinnati", "OH", "Ohio", "452"),
    ("Louisville", "KY", "Kentucky", "402"),
    ("Nashville", "TN", "Tennessee", "372"),
    ("Memphis", "TN", "Tennessee", "381"),
    ("Jackson", "MS", "Mississippi", "392"),
    ("Birmingham", "AL", "Alabama", "352"),
    ("Charleston", "WV", "West Virginia", "253"),
    ("Richmond", "VA", "Virginia", "232"),
    ("Arlington", "VA", "Virginia", "222"),
    ("Charlotte", "NC", "North Carolina", "282"),
    ("Raleigh", "NC", "North Carolina", "276"),
    ("Columbia", "SC", "South Carolina", "292"),
    ("Atlanta", "GA", "Georgia", "303"),
    ("Savannah", "GA", "Georgia", "314"),
    ("Miami", "FL", "Florida", "331"),
    ("Tampa", "FL", "Florida", "336"),
    ("Orlando", "FL", "Florida", "328"),
    ("Jacksonville", "FL", "Florida", "322"),
    ("Philadelphia", "PA", "Pennsylvania", "191"),
    ("Pittsburgh", "PA", "Pennsylvania", "152"),
    ("New York", "NY", "New York", "100"),
    ("Rochester", "NY", "New York", "146"),
    ("Buffalo", "NY", "New York", "142"),
    ("Albany", "NY", "New York", "122"),
    ("Newark", "NJ", "New Jersey", "071"),
    ("Princeton", "NJ", "New Jersey", "085"),
    ("Wilmington", "DE", "Delaware", "198"),
    ("Baltimore", "MD", "Maryland", "212"),
    ("Bethesda", "MD", "Maryland", "208"),
    ("Washington", "DC", "District of Columbia", "200"),
    ("Hartford", "CT", "Connecticut", "061"),
    ("Stamford", "CT", "Connecticut", "069"),
    ("Providence", "RI", "Rhode Island", "029"),
    ("Boston", "MA", "Massachusetts", "021"),
    ("Worcester", "MA", "Massachusetts", "016"),
    ("Burlington", "VT", "Vermont", "054"),
    ("Manchester", "NH", "New Hampshire", "031"),
    ("Portland", "ME", "Maine", "041"),
)
CANADA = (
    ("Toronto", "ON", "Ontario", "M5V"),
    ("Vancouver", "BC", "British Columbia", "V6B"),
    ("Calgary", "AB", "Alberta", "T2P"),
    ("Montréal", "QC", "Quebec", "H3B"),
)

# (CRM industry value, share of accounts, revenue per employee in $k, name nouns)
INDUSTRIES = (
    (
        "Manufacturing",
        0.16,
        320,
        (
            "Manufacturing",
            "Industries",
            "Fabrication",
            "Components",
            "Precision Products",
            "Plastics",
            "Tooling",
            "Metals",
        ),
    ),
    (
        "Healthcare",
        0.11,
        180,
        (
            "Health",
            "Health System",
            "Medical Center",
            "Clinics",
            "Medical Group",
            "Hospital",
            "Care Partners",
        ),
    ),
    (
        "Financial Services",
        0.09,
        520,
        ("Bank", "Financial", "Credit Union", "Capital", "Insurance", "Bancorp", "Trust"),
    ),
    (
        "Education",
        0.07,
        110,
        ("School District", "College", "University", "Academy", "Community College", "Schools"),
    ),
    (
        "Government",
        0.05,
        150,
        (
            "County",
            "City of",
            "Water Authority",
            "Transit Authority",
            "Public Library",
            "Port Authority",
        ),
    ),
    (
        "Retail",
        0.09,
        240,
        ("Stores", "Outfitters", "Market", "Supply", "Home Center", "Goods", "Grocers"),
    ),
    (
        "Transportation & Logistics",
        0.07,
        260,
        ("Logistics", "Freight", "Transport", "Distribution", "Trucking", "Express"),
    ),
    (
        "Professional Services",
        0.10,
        210,
        ("Consulting", "Partners", "Associates", "Group", "Advisors", "Law", "CPAs"),
    ),
    (
        "Construction",
        0.06,
        280,
        ("Construction", "Builders", "Contractors", "Engineering", "Homes"),
    ),
    ("Energy & Utilities", 0.04, 700, ("Energy", "Power", "Utilities", "Electric", "Gas")),
    ("Hospitality", 0.05, 90, ("Hotels", "Resorts", "Hospitality", "Restaurants", "Inns")),
    (
        "Technology",
        0.06,
        400,
        ("Software", "Systems", "Technologies", "Labs", "Digital", "Networks"),
    ),
    ("Non-Profit", 0.03, 80, ("Foundation", "Alliance", "Society", "Council", "Charities")),
    ("Real Estate", 0.02, 350, ("Properties", "Realty", "Real Estate", "Development")),
)
TARGET_INDUSTRIES = frozenset(
    {"Manufacturing", "Healthcare", "Financial Services", "Education", "Government", "Retail"}
)

_NAME_WORDS = (
    "Summit Cedar Harbor Pioneer Keystone Granite Lakeside Riverbend Northwind Bluewater "
    "Silverline Ironwood Meridian Crescent Redwood Sterling Evergreen Horizon Prairie Beacon "
    "Falcon Liberty Heritage Cornerstone Atlas Vanguard Apex Pinnacle Frontier Canyon "
    "Oakridge Maple Willow Aspen Sierra Cascade Coastal Highland Midland Tri-County "
    "Great_Lakes Golden_State Lone_Star Bay_Area Heartland Piedmont Blue_Ridge Ozark "
    "Allegheny Hudson Chesapeake Gulf_Coast Rocky_Mountain Pacific Atlantic Sunbelt Mesa "
    "Harbor_Point Stonebridge Brightwater Clearview Fairview Westbrook Eastgate Northgate "
    "Southfield Kingsley Ashford Bramble Copperleaf Driftwood Elmstead Foxhollow Glenwood "
    "Hawthorne Juniper Kestrel Larkspur Magnolia Norwood Orchard Pinecrest Quarry Rosewood "
    "Saddleback Thornbury Upland Valley Whitestone Yardley Zephyr Anchor Bridgewater "
    "Crossroads Delta Emerald Fieldstone Greystone Hillcrest Ivy Jasper Landmark"
)
NAME_WORDS = tuple(w.replace("_", " ") for w in _NAME_WORDS.split())  # "Great_Lakes" is one word
_COINED_ROOTS = (
    "Nova Vera Quanta Corva Lumen Axi Teli Zen Opti Vita Omni Prima Syn Kine Cara Dyna Flexi "
    "Geo Helio Intra Mavi Nexa Ora Pura Sola Tera Uni Vexa Wira Xeno"
)
COINED_ROOTS = tuple(_COINED_ROOTS.split())
_ENDINGS = "tek tech ra nix lytics sys gen core wave logic via corp ware tronix"
COINED_ENDINGS = tuple(_ENDINGS.split())
LEGAL_FORMS = ("Inc.", "LLC", "Corp.", "Co.", "Holdings, Inc.", "Corporation", "Ltd.")

# Job titles as CRM users type them, with weights that pick them. Their seniority and
# function come from the product's own classifier (demo.crm), so the story and the
# reports read every title the same way.
TITLES: tuple[tuple[str, float], ...] = (
    # senior IT buyers: the people who approve services after the shift
    ("CIO", 3),
    ("Chief Information Officer", 3),
    ("CTO", 1.5),
    ("Chief Technology Officer", 1),
    ("VP, Infrastructure & Operations", 2),
    ("VP of IT", 2.5),
    ("Vice President, Information Technology", 2),
    ("SVP, Technology", 0.8),
    ("VP IT Operations", 1.2),
    ("Chief Digital Officer", 0.5),
    ("Director of IT", 4),
    ("IT Director", 4),
    ("Director, Infrastructure", 2),
    ("Head of IT Service Delivery", 1.5),
    ("Director of Network Services", 1.2),
    # the familiar hardware contacts
    ("Sr. IT Manager", 4),
    ("IT Mgr", 2),
    ("IT Manager", 7),
    ("Infrastructure Manager", 3),
    ("Network Manager", 2.5),
    ("Manager, End User Computing", 1.5),
    ("Help Desk Manager", 2),
    ("Data Center Manager", 1.2),
    ("Network Engineer", 5),
    ("Sr. Network Engineer", 2.5),
    ("Systems Administrator", 5),
    ("Sys Admin", 1.5),
    ("Systems Engineer", 3),
    ("IT Specialist", 3),
    ("Desktop Support Technician", 2.5),
    ("IT Analyst", 2),
    ("Procurement Manager", 4),
    ("Purchasing Manager", 3.5),
    ("Category Manager - IT", 1.2),
    ("Purchasing Agent", 4),
    ("Buyer", 4),
    ("Sr. Buyer", 2),
    ("Procurement Specialist", 2.5),
    ("IT Procurement Analyst", 1.2),
    ("Director of Procurement", 1.5),
    ("VP, Strategic Sourcing", 0.6),
    # the rest of the building
    ("CFO", 2),
    ("Chief Financial Officer", 1.2),
    ("VP Finance", 1),
    ("Controller", 1.5),
    ("CEO", 1.5),
    ("President", 1.5),
    ("COO", 1),
    ("Owner", 0.8),
    ("Operations Manager", 2.5),
    ("Facilities Manager", 2),
    ("Office Manager", 2.5),
    ("Executive Assistant", 1.5),
    ("Administrative Assistant", 1),
    ("HR Manager", 1),
    ("Marketing Director", 0.8),
)

CONTACT_ROLES = (
    "Decision Maker",
    "Economic Buyer",
    "Technical Buyer",
    "Evaluator",
    "Influencer",
    "Business User",
)
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com")
