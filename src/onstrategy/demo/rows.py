"""Records as CRM export rows: Salesforce and HubSpot column headers, with a little mess.

Real exports spell the same thing several ways ("United States", "USA", "US"; "California"
and "CA"; websites with and without ``https://www.``), leave some fields blank, and show
legal forms on some names. The importer normalises all of it, so the demo shows it.
"""

from __future__ import annotations

import random

from onstrategy.demo.crm import Contact, Lead, phone
from onstrategy.demo.deals import Activity, Deal
from onstrategy.demo.firms import Firm

Row = dict[str, str]

ACCOUNT_HEADERS = (
    "Account ID",
    "Account Name",
    "Website",
    "Industry",
    "Employees",
    "Annual Revenue",
    "Billing City",
    "Billing State/Province",
    "Billing Zip/Postal Code",
    "Billing Country",
    "Phone",
    "Account Owner ID",
    "Parent Account ID",
    "Account Source",
    "Created Date",
)
CONTACT_HEADERS = (
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Job Title",
    "Phone Number",
    "Associated Company ID",
    "Create Date",
)
LEAD_HEADERS = (
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Job Title",
    "Company Name",
    "Website URL",
    "Industry",
    "Number of Employees",
    "Annual Revenue",
    "Country/Region",
    "State/Region",
    "City",
    "Postal Code",
    "Phone Number",
    "Original Source",
    "Lead Status",
    "HubSpot Owner ID",
    "Create Date",
)
OPPORTUNITY_HEADERS = (
    "Opportunity ID",
    "Opportunity Name",
    "Account ID",
    "Opportunity Owner ID",
    "Amount",
    "List Price",
    "Stage",
    "Closed",
    "Won",
    "Created Date",
    "Close Date",
    "Product Code",
    "Type",
    "Lead Source",
)
OPPORTUNITY_CONTACT_HEADERS = ("Opportunity ID", "Contact ID", "Role", "Primary")
ACTIVITY_HEADERS = (
    "Activity ID",
    "Activity Type",
    "Date",
    "Duration (minutes)",
    "Assigned To ID",
    "Contact ID",
    "Account ID",
    "Opportunity ID",
    "Subject",
)
FORTUNE_HEADERS = ("Rank", "Company", "Website", "City", "State")
CALL_HEADERS = ("Call ID", "File", "Opportunity ID", "Account ID", "Rep ID", "Date", "Seller")

_US = ("United States", "United States", "USA", "US", "U.S.", "United States of America")


def flag(value: bool) -> str:
    return "true" if value else "false"


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def website(rng: random.Random, domain: str) -> str:
    return rng.choices(
        (
            domain,
            f"www.{domain}",
            f"https://www.{domain}",
            f"http://{domain}/",
            f"https://www.{domain}/about-us",
            f"https://{domain}/en/home",
        ),
        (0.3, 0.25, 0.2, 0.1, 0.1, 0.05),
    )[0]


def country(rng: random.Random, code: str) -> str:
    if code == "US":
        return rng.choice(_US)
    return rng.choice(("Canada", "CA", "Canada"))


def state(rng: random.Random, firm: Firm) -> str:
    return firm.state_name if rng.random() < 0.25 else firm.state


def account_row(rng: random.Random, firm: Firm) -> Row:
    name = firm.name
    if rng.random() < 0.06:
        name = f"{name}, Inc." if rng.random() < 0.5 else f"{name} LLC"
    return {
        "Account ID": firm.id,
        "Account Name": name,
        "Website": "" if rng.random() < 0.04 else website(rng, firm.domain),
        "Industry": "" if rng.random() < 0.04 else firm.industry,
        "Employees": "" if rng.random() < 0.05 else str(firm.employees),
        "Annual Revenue": "" if rng.random() < 0.08 else number(firm.revenue),
        "Billing City": firm.city,
        "Billing State/Province": state(rng, firm),
        "Billing Zip/Postal Code": firm.postal,
        "Billing Country": country(rng, firm.country),
        "Phone": phone(rng) if rng.random() < 0.7 else "",
        "Account Owner ID": firm.owner.id if firm.owner else "",
        "Parent Account ID": "",
        "Account Source": firm.source,
        "Created Date": firm.created_on.isoformat() if firm.created_on else "",
    }


def contact_row(contact: Contact) -> Row:
    return {
        "Record ID": contact.id,
        "First Name": contact.first,
        "Last Name": contact.last,
        "Email": contact.email,
        "Job Title": contact.title,
        "Phone Number": contact.phone,
        "Associated Company ID": contact.account.id,
        "Create Date": contact.created_on.isoformat(),
    }


def lead_row(rng: random.Random, lead: Lead) -> Row:
    firm = lead.firm
    known = lead.source != "Purchased List" or rng.random() < 0.5  # forms are enriched
    return {
        "Record ID": lead.id,
        "First Name": lead.first,
        "Last Name": lead.last,
        "Email": lead.email,
        "Job Title": lead.title,
        "Company Name": lead.company,
        "Website URL": website(rng, firm.domain) if rng.random() < 0.6 else "",
        "Industry": firm.industry if known and rng.random() < 0.9 else "",
        "Number of Employees": str(firm.employees) if known and rng.random() < 0.85 else "",
        "Annual Revenue": number(firm.revenue) if known and rng.random() < 0.6 else "",
        "Country/Region": country(rng, firm.country),
        "State/Region": state(rng, firm),
        "City": firm.city,
        "Postal Code": firm.postal if rng.random() < 0.7 else "",
        "Phone Number": lead.phone,
        "Original Source": lead.source,
        "Lead Status": lead.status,
        "HubSpot Owner ID": lead.owner.id if lead.owner else "",
        "Create Date": lead.created_on.isoformat(),
    }


def opportunity_row(deal: Deal) -> Row:
    return {
        "Opportunity ID": deal.id,
        "Opportunity Name": deal.name,
        "Account ID": deal.account.id,
        "Opportunity Owner ID": deal.owner.id,
        "Amount": number(deal.amount),
        "List Price": number(deal.list_price),
        "Stage": deal.stage,
        "Closed": flag(deal.won is not None),
        "Won": flag(bool(deal.won)),
        "Created Date": deal.created_on.isoformat(),
        "Close Date": deal.close_on.isoformat(),
        "Product Code": deal.product,
        "Type": deal.type,
        "Lead Source": deal.lead_source,
    }


def opportunity_contact_rows(deal: Deal) -> list[Row]:
    return [
        {
            "Opportunity ID": deal.id,
            "Contact ID": contact.id,
            "Role": role,
            "Primary": flag(primary),
        }
        for contact, role, primary in deal.contacts
    ]


def activity_row(item: Activity) -> Row:
    return {
        "Activity ID": item.id,
        "Activity Type": item.kind,
        "Date": item.day.isoformat(),
        "Duration (minutes)": str(item.minutes),
        "Assigned To ID": item.owner.id,
        "Contact ID": item.contact.id if item.contact else "",
        "Account ID": item.account.id,
        "Opportunity ID": item.deal.id if item.deal else "",
        "Subject": item.subject,
    }


def fortune_rows(rng: random.Random, firms: list[Firm]) -> list[Row]:
    """The named list as a publisher prints it: legal names, home pages, HQ city."""
    rows = []
    for firm in sorted(firms, key=lambda f: f.fortune_rank or 0):
        name = firm.name
        if rng.random() < 0.35:
            name = f"{name} {rng.choice(('Holdings, Inc.', 'Inc.', 'Corporation', 'Co.', 'Group'))}"
        rows.append(
            {
                "Rank": str(firm.fortune_rank),
                "Company": name,
                "Website": rng.choice(
                    (f"https://www.{firm.domain}", f"www.{firm.domain}", f"https://{firm.domain}/")
                ),
                "City": firm.city,
                "State": firm.state,
            }
        )
    return rows
