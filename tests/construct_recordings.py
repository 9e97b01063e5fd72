"""Build the constructed recordings and selectors files of every marketplace.

No capture exists of these pages (only amazon.com's /gc/balance is real), so
they are built here after the structure of that capture (ids, a-* classes,
the a-bordered activity table, a-pagination) and of amazon.com's constructed
pages. Each marketplace's amounts, dates and texts are written out literally
below in its own language and number format, and each page's expected result
is written from the same literal values: the expected files never come from
running the extractor, so the recording tests check the extractor against
values a person wrote down.

Run: .venv/bin/python tests/construct_recordings.py   (rewrites the generated files)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NBSP, NNBSP = "\u00a0", "\u202f"


@dataclass
class Row:
    """An activity row: the page's text and the value a person reads in it."""

    date: str
    iso: str
    description: str
    amount: str
    amount_value: str
    closing: str
    closing_value: str


@dataclass
class Grant:
    description: str
    amount: str
    value: str
    expires: str
    iso: str


@dataclass
class Market:
    id: str
    name: str
    currency: str
    locale: str
    language: str
    html_lang: str
    symbols: dict[str, str]
    t: dict[str, str]  # texts
    balance: tuple[str, str]
    page1: list[Row]
    page2: list[Row]
    promo_total: str
    promos: list[Grant]
    no_rush: list[Grant]
    digital: list[Grant]
    checkout_gc: tuple[str, str]
    checkout_promo: tuple[str, str]
    points: tuple[str, int]
    program: str
    cart_count: int
    subtotal: str
    kindle: tuple[str, int] | None = None
    own: set[str] = field(default_factory=set)  # pages not generated here (captured or written by hand)


EN = {
    "gc_title": "Your Gift Card Balance",
    "gc_label": "Your Gift Card Balance",
    "activity": "Gift Card Activity",
    "h_date": "Date",
    "h_desc": "Description",
    "h_amount": "Amount",
    "h_closing": "Closing balance",
    "prev": "Previous",
    "next": "Next",
    "promo_title": "Your Promotional Balance",
    "promo_label": "Your Promotional Balance",
    "promo_section": "Promotional Credits",
    "h_promotion": "Promotion",
    "h_expires": "Expires",
    "rewards_title": "Your Rewards and Credits",
    "no_rush": "No-Rush Rewards",
    "digital": "Digital Credits",
    "h_reward": "Reward",
    "checkout": "Checkout",
    "balances": "Your available balances",
    "use_gc": "Use your {} gift card balance",
    "use_promo": "Use your {} promotional balance",
    "points": "{} points available",
    "gc_line_label": "gift card balance",
    "promo_line_label": "promotional balance",
    "points_label": "points available",
    "continue": "Use this payment method",
    "place": "Place your order",
    "cart": "Shopping Cart",
    "subtotal": "Subtotal ({} items):",
    "empty": "Your Amazon Cart is empty",
    "applied": "Gift Card applied to {} order",
    "reload": "Gift Card Balance added from Reload",
    "refund": "Refund from {} order",
    "kindle_title": "Kindle Rewards",
    "kindle_label": "Your points balance",
}

DE = {
    "gc_title": "Ihr Geschenkgutschein-Guthaben",
    "gc_label": "Ihr Geschenkgutschein-Guthaben",
    "activity": "Geschenkgutschein-Aktivität",
    "h_date": "Datum",
    "h_desc": "Beschreibung",
    "h_amount": "Betrag",
    "h_closing": "Schlusssaldo",
    "prev": "Zurück",
    "next": "Weiter",
    "promo_title": "Ihr Aktionsguthaben",
    "promo_label": "Ihr Aktionsguthaben",
    "promo_section": "Aktionsgutschriften",
    "h_promotion": "Aktion",
    "h_expires": "Gültig bis",
    "rewards_title": "Ihre Prämien und Guthaben",
    "no_rush": "Prämien für verzögerten Versand",
    "digital": "Digitale Guthaben",
    "h_reward": "Prämie",
    "checkout": "Zur Kasse",
    "balances": "Ihre verfügbaren Guthaben",
    "use_gc": "Ihr Geschenkgutschein-Guthaben von {} verwenden",
    "use_promo": "Ihr Aktionsguthaben von {} verwenden",
    "points": "{} Punkte verfügbar",
    "gc_line_label": "Geschenkgutschein-Guthaben",
    "promo_line_label": "Aktionsguthaben",
    "points_label": "Punkte verfügbar",
    "continue": "Diese Zahlungsart verwenden",
    "place": "Jetzt kaufen",
    "cart": "Einkaufswagen",
    "subtotal": "Zwischensumme ({} Artikel):",
    "empty": "Ihr Amazon-Einkaufswagen ist leer",
    "applied": "Geschenkgutschein auf {}-Bestellung angewendet",
    "reload": "Guthaben aufgeladen",
    "refund": "Erstattung für {}-Bestellung",
}

FR = {
    "gc_title": "Solde de vos chèques-cadeaux",
    "gc_label": "Solde de vos chèques-cadeaux",
    "activity": "Activité des chèques-cadeaux",
    "h_date": "Date",
    "h_desc": "Description",
    "h_amount": "Montant",
    "h_closing": "Solde de clôture",
    "prev": "Précédent",
    "next": "Suivant",
    "promo_title": "Votre solde promotionnel",
    "promo_label": "Votre solde promotionnel",
    "promo_section": "Crédits promotionnels",
    "h_promotion": "Promotion",
    "h_expires": "Expire le",
    "rewards_title": "Vos récompenses et crédits",
    "no_rush": "Récompenses livraison sans urgence",
    "digital": "Crédits numériques",
    "h_reward": "Récompense",
    "checkout": "Passer la commande",
    "balances": "Vos soldes disponibles",
    "use_gc": "Utiliser votre solde de chèques-cadeaux de {}",
    "use_promo": "Utiliser votre solde promotionnel de {}",
    "points": "{} points disponibles",
    "gc_line_label": "solde de chèques-cadeaux",
    "promo_line_label": "solde promotionnel",
    "points_label": "points disponibles",
    "continue": "Utiliser ce mode de paiement",
    "place": "Acheter",
    "cart": "Panier",
    "subtotal": "Sous-total ({} articles) :",
    "empty": "Votre panier Amazon est vide",
    "applied": "Chèque-cadeau utilisé pour une commande {}",
    "reload": "Solde rechargé",
    "refund": "Remboursement d'une commande {}",
}

IT = {
    "gc_title": "Saldo del tuo Buono Regalo",
    "gc_label": "Saldo del tuo Buono Regalo",
    "activity": "Attività del Buono Regalo",
    "h_date": "Data",
    "h_desc": "Descrizione",
    "h_amount": "Importo",
    "h_closing": "Saldo finale",
    "prev": "Precedente",
    "next": "Successivo",
    "promo_title": "Il tuo saldo promozionale",
    "promo_label": "Il tuo saldo promozionale",
    "promo_section": "Crediti promozionali",
    "h_promotion": "Promozione",
    "h_expires": "Scadenza",
    "rewards_title": "I tuoi premi e crediti",
    "no_rush": "Premi spedizione senza fretta",
    "digital": "Crediti digitali",
    "h_reward": "Premio",
    "checkout": "Cassa",
    "balances": "I tuoi saldi disponibili",
    "use_gc": "Usa il saldo del tuo Buono Regalo di {}",
    "use_promo": "Usa il tuo saldo promozionale di {}",
    "points": "{} punti disponibili",
    "gc_line_label": "saldo del tuo Buono Regalo",
    "promo_line_label": "saldo promozionale",
    "points_label": "punti disponibili",
    "continue": "Usa questo metodo di pagamento",
    "place": "Acquista ora",
    "cart": "Carrello",
    "subtotal": "Totale provvisorio ({} articoli):",
    "empty": "Il tuo carrello Amazon è vuoto",
    "applied": "Buono Regalo applicato all'ordine {}",
    "reload": "Saldo ricaricato",
    "refund": "Rimborso dell'ordine {}",
}

ES = {
    "gc_title": "Saldo de tu cheque regalo",
    "gc_label": "Saldo de tu cheque regalo",
    "activity": "Actividad del cheque regalo",
    "h_date": "Fecha",
    "h_desc": "Descripción",
    "h_amount": "Importe",
    "h_closing": "Saldo final",
    "prev": "Anterior",
    "next": "Siguiente",
    "promo_title": "Tu saldo promocional",
    "promo_label": "Tu saldo promocional",
    "promo_section": "Créditos promocionales",
    "h_promotion": "Promoción",
    "h_expires": "Caduca",
    "rewards_title": "Tus recompensas y créditos",
    "no_rush": "Recompensas por envío sin prisa",
    "digital": "Créditos digitales",
    "h_reward": "Recompensa",
    "checkout": "Tramitar pedido",
    "balances": "Tus saldos disponibles",
    "use_gc": "Usar tu saldo de cheque regalo de {}",
    "use_promo": "Usar tu saldo promocional de {}",
    "points": "{} puntos disponibles",
    "gc_line_label": "saldo de cheque regalo",
    "promo_line_label": "saldo promocional",
    "points_label": "puntos disponibles",
    "continue": "Usar este método de pago",
    "place": "Comprar ya",
    "cart": "Cesta",
    "subtotal": "Subtotal ({} productos):",
    "empty": "Tu cesta de Amazon está vacía",
    "applied": "Cheque regalo aplicado al pedido de {}",
    "reload": "Saldo recargado",
    "refund": "Reembolso del pedido de {}",
}

MX = dict(
    ES,
    gc_title="Saldo de tu tarjeta de regalo",
    gc_label="Saldo de tu tarjeta de regalo",
    activity="Actividad de la tarjeta de regalo",
    checkout="Proceder al pago",
    use_gc="Usar tu saldo de tarjeta de regalo de {}",
    gc_line_label="saldo de tarjeta de regalo",
    cart="Carrito",
    empty="Tu carrito de Amazon está vacío",
    applied="Tarjeta de regalo aplicada al pedido de {}",
    subtotal="Subtotal ({} productos):",
)

JA = {
    "gc_title": "ギフトカード残高",
    "gc_label": "ギフトカード残高",
    "activity": "ギフトカードの利用履歴",
    "h_date": "日付",
    "h_desc": "説明",
    "h_amount": "金額",
    "h_closing": "残高",
    "prev": "前へ",
    "next": "次へ",
    "promo_title": "プロモーション残高",
    "promo_label": "プロモーション残高",
    "promo_section": "プロモーションクレジット",
    "h_promotion": "プロモーション",
    "h_expires": "有効期限",
    "rewards_title": "特典とクレジット",
    "no_rush": "お急ぎ便なし特典",
    "digital": "デジタルクレジット",
    "h_reward": "特典",
    "checkout": "レジ",
    "balances": "利用可能な残高",
    "use_gc": "ギフトカード残高 {} を使用",
    "use_promo": "プロモーション残高 {} を使用",
    "points": "{} ポイント利用可能",
    "gc_line_label": "ギフトカード残高",
    "promo_line_label": "プロモーション残高",
    "points_label": "ポイント利用可能",
    "continue": "この支払い方法を使用",
    "place": "注文を確定する",
    "cart": "ショッピングカート",
    "subtotal": "小計 ({} 商品):",
    "empty": "Amazonカートは空です",
    "applied": "{}の注文にギフトカードを使用",
    "reload": "チャージによる残高追加",
    "refund": "{}の注文の返金",
}


def localised(texts: dict[str, str], site: str) -> dict[str, str]:
    return {k: v.format(site) if k in ("applied", "refund") else v for k, v in texts.items()}


def en(site: str, **extra: str) -> dict[str, str]:
    return localised(dict(EN, **extra), site)


MARKETS = [
    Market(
        id="amazon.com",
        name="Amazon.com (United States)",
        currency="USD",
        locale="en_US",
        language="en",
        html_lang="en-us",
        symbols={"$": "USD", "US$": "USD"},
        t=en("Amazon.com"),
        # /gc/balance is the real capture; its second page is constructed to follow its next link.
        balance=("$0.00", "0.00"),
        # The capture's own rows, read off the page by a person (its amounts were scaled by its donors,
        # so not every row follows from the one before; the newest closing balance equals the balance).
        page1=[
            Row("May 12, 2026", "2026-05-12", "Gift Card applied to Amazon.com order", "-$19.48", "-19.48", "$0.00", "0.00"),
            Row("May 11, 2026", "2026-05-11", "Gift Card Balance added from Reload", "$19.48", "19.48", "$19.48", "19.48"),
            Row("April 22, 2026", "2026-04-22", "Gift Card applied to Amazon.com order", "-$14.55", "-14.55", "$0.00", "0.00"),
            Row("April 20, 2026", "2026-04-20", "Refund from Amazon.com order", "$14.55", "14.55", "$14.55", "14.55"),
            Row("April 19, 2026", "2026-04-19", "Gift Card applied to Amazon.com order", "-$102.53", "-102.53", "$0.00", "0.00"),
            Row("April 15, 2026", "2026-04-15", "Gift Card applied to Amazon.com order", "-$14.55", "-14.55", "$102.53", "102.53"),
            Row("April 9, 2026", "2026-04-09", "Gift Card applied to Amazon.com order", "-$2.90", "-2.90", "$117.08", "117.08"),
            Row("April 2, 2026", "2026-04-02", "Refund from Amazon.com order", "$47.12", "47.12", "$119.98", "119.98"),
            Row("April 2, 2026", "2026-04-02", "Refund from Amazon.com order", "$72.86", "72.86", "$72.86", "72.86"),
            Row("September 16, 2025", "2025-09-16", "Gift Card applied to Amazon.com order", "-$0.07", "-0.07", "$0.00", "0.00"),
            Row("August 25, 2025", "2025-08-25", "Gift Card applied to Amazon.com order", "-$11.89", "-11.89", "$0.07", "0.07"),
            Row("August 19, 2025", "2025-08-19", "Gift Card applied to Amazon.com order", "-$54.99", "-54.99", "$11.96", "11.96"),
            Row("August 11, 2025", "2025-08-11", "Gift Card applied to Amazon.com order", "-$53.68", "-53.68", "$66.95", "66.95"),
            Row("August 8, 2025", "2025-08-08", "Gift Card applied to Amazon.com order", "-$81.01", "-81.01", "$120.63", "120.63"),
            Row("August 8, 2025", "2025-08-08", "Gift Card applied to Amazon.com order", "-$10.89", "-10.89", "$201.64", "201.64"),
        ],
        page2=[
            Row("August 2, 2025", "2025-08-02", "Gift Card Balance added from Reload", "$150.00", "150.00", "$212.53", "212.53"),
            Row("July 14, 2025", "2025-07-14", "Gift Card applied to Amazon.com order", "-$37.47", "-37.47", "$62.53", "62.53"),
        ],
        promo_total="$17.50",
        promos=[],
        no_rush=[Grant("No-Rush Shipping reward: digital credit", "$1.00", "1.00", "March 3, 2027", "2027-03-03")],
        digital=[Grant("Prime Video digital credit", "$5.99", "5.99", "June 30, 2027", "2027-06-30")],
        checkout_gc=("$0.00", "0.00"),
        checkout_promo=("$17.50", "17.50"),
        points=("2,418", 2418),
        program="Amazon Visa Rewards",
        cart_count=2,
        subtotal="$54.98",
        kindle=("1,250", 1250),
        own={"gift-card-balance", "promotional-balance", "checkout-payment"},
    ),
    Market(
        id="amazon.ca",
        name="Amazon.ca (Canada)",
        currency="CAD",
        locale="en_CA",
        language="en",
        html_lang="en-ca",
        symbols={"$": "CAD", "CDN$": "CAD", "C$": "CAD"},
        t=en("Amazon.ca"),
        balance=("$1,234.56", "1234.56"),
        page1=[
            Row("December 31, 2026", "2026-12-31", "Gift Card Balance added from Reload", "CDN$ 1,000.00", "1000.00", "$1,234.56", "1234.56"),
            Row("December 24, 2026", "2026-12-24", "Gift Card applied to Amazon.ca order", "-$12.30", "-12.30", "$234.56", "234.56"),
        ],
        page2=[Row("November 2, 2026", "2026-11-02", "Refund from Amazon.ca order", "CDN$ 246.86", "246.86", "$246.86", "246.86")],
        promo_total="$15.00",
        promos=[
            Grant("Prime Day promotional credit", "$10.00", "10.00", "January 15, 2027", "2027-01-15"),
            Grant("Alexa shopping credit", "CDN$ 5.00", "5.00", "Feb 28, 2027", "2027-02-28"),
        ],
        no_rush=[Grant("No-Rush Shipping reward", "$1.00", "1.00", "March 3, 2027", "2027-03-03")],
        digital=[Grant("Kindle eBook credit", "$3.00", "3.00", "April 1, 2027", "2027-04-01")],
        checkout_gc=("$1,234.56", "1234.56"),
        checkout_promo=("$15.00", "15.00"),
        points=("3,100", 3100),
        program="Amazon.ca Rewards Mastercard",
        cart_count=3,
        subtotal="$89.97",
    ),
    Market(
        id="amazon.com.mx",
        name="Amazon.com.mx (México)",
        currency="MXN",
        locale="es_MX",
        language="es",
        html_lang="es-mx",
        symbols={"$": "MXN", "MX$": "MXN"},
        t=localised(MX, "Amazon.com.mx"),
        balance=("$12,345.67", "12345.67"),
        page1=[
            Row("31 de diciembre de 2026", "2026-12-31", "Saldo recargado", "$10,000.00", "10000.00", "$12,345.67", "12345.67"),
            Row("24 dic 2026", "2026-12-24", "Tarjeta de regalo aplicada al pedido de Amazon.com.mx", "-$654.33", "-654.33", "$2,345.67", "2345.67"),
        ],
        page2=[Row("2 de noviembre de 2026", "2026-11-02", "Reembolso del pedido de Amazon.com.mx", "MXN 3,000.00", "3000.00", "$3,000.00", "3000.00")],
        promo_total="$250.00",
        promos=[
            Grant("Crédito promocional de Buen Fin", "$200.00", "200.00", "15 de enero de 2027", "2027-01-15"),
            Grant("Crédito de Alexa", "$50.00", "50.00", "28 feb 2027", "2027-02-28"),
        ],
        no_rush=[Grant("Recompensa por envío sin prisa", "$20.00", "20.00", "3 de marzo de 2027", "2027-03-03")],
        digital=[Grant("Crédito para eBooks Kindle", "$49.00", "49.00", "1 de abril de 2027", "2027-04-01")],
        checkout_gc=("$12,345.67", "12345.67"),
        checkout_promo=("$250.00", "250.00"),
        points=("1,500", 1500),
        program="Recompensas Amazon",
        cart_count=1,
        subtotal="$499.00",
    ),
    Market(
        id="amazon.co.uk",
        name="Amazon.co.uk (United Kingdom)",
        currency="GBP",
        locale="en_GB",
        language="en",
        html_lang="en-gb",
        symbols={"£": "GBP"},
        t=en("Amazon.co.uk", gc_title="Your Gift Card balance", gc_label="Your Gift Card balance"),
        balance=("£1,234.56", "1234.56"),
        page1=[
            Row("31 December 2026", "2026-12-31", "Gift Card balance added from Top Up", "£1,000.00", "1000.00", "£1,234.56", "1234.56"),
            Row("24 Dec 2026", "2026-12-24", "Gift Card applied to Amazon.co.uk order", "-£19.48", "-19.48", "£234.56", "234.56"),
            Row("1 Sept 2026", "2026-09-01", "Refund from Amazon.co.uk order", "GBP 254.04", "254.04", "£254.04", "254.04"),
        ],
        page2=[Row("2 August 2026", "2026-08-02", "Gift Card applied to Amazon.co.uk order", "-£5.00", "-5.00", "£0.00", "0.00")],
        promo_total="£12.50",
        promos=[
            Grant("Prime Day promotional credit", "£10.00", "10.00", "15 January 2027", "2027-01-15"),
            Grant("Alexa shopping credit", "£2.50", "2.50", "28 Feb 2027", "2027-02-28"),
        ],
        no_rush=[Grant("No-Rush delivery reward", "£1.00", "1.00", "3 March 2027", "2027-03-03")],
        digital=[Grant("Kindle eBook credit", "£2.99", "2.99", "1 April 2027", "2027-04-01")],
        checkout_gc=("£1,234.56", "1234.56"),
        checkout_promo=("£12.50", "12.50"),
        points=("2,000", 2000),
        program="Amazon Platinum Mastercard",
        cart_count=4,
        subtotal="£61.20",
    ),
    Market(
        id="amazon.de",
        name="Amazon.de (Deutschland)",
        currency="EUR",
        locale="de_DE",
        language="de",
        html_lang="de-de",
        symbols={"€": "EUR"},
        t=localised(DE, "Amazon.de"),
        balance=("1.234,56 €", "1234.56"),
        page1=[
            Row("31. Dezember 2026", "2026-12-31", "Guthaben aufgeladen", "1.000,00 €", "1000.00", "1.234,56 €", "1234.56"),
            Row("24. Dez. 2026", "2026-12-24", "Geschenkgutschein auf Amazon.de-Bestellung angewendet", "-16,13 €", "-16.13", "EUR 234,56", "234.56"),
        ],
        page2=[Row("2. November 2026", "2026-11-02", "Erstattung für Amazon.de-Bestellung", "EUR 250,69", "250.69", "250,69 €", "250.69")],
        promo_total="EUR 16,13",
        promos=[
            Grant("Prime Day Aktionsguthaben", "10,00 €", "10.00", "15. Januar 2027", "2027-01-15"),
            Grant("Alexa Einkaufsguthaben", "EUR 6,13", "6.13", "28. Feb. 2027", "2027-02-28"),
        ],
        no_rush=[Grant("Prämie für verzögerten Versand", "1,00 €", "1.00", "3. März 2027", "2027-03-03")],
        digital=[Grant("Guthaben für Kindle eBooks", "2,99 €", "2.99", "1. April 2027", "2027-04-01")],
        checkout_gc=("1.234,56 €", "1234.56"),
        checkout_promo=("16,13 €", "16.13"),
        points=("1.250", 1250),
        program="Amazon Visa Punkte",
        cart_count=2,
        subtotal="54,98 €",
    ),
    Market(
        id="amazon.fr",
        name="Amazon.fr (France)",
        currency="EUR",
        locale="fr_FR",
        language="fr",
        html_lang="fr-fr",
        symbols={"€": "EUR"},
        t=localised(FR, "Amazon.fr"),
        balance=(f"1{NNBSP}234,56{NBSP}€", "1234.56"),
        page1=[
            Row("31 décembre 2026", "2026-12-31", "Solde rechargé", f"1{NBSP}000,00{NBSP}€", "1000.00", f"1{NNBSP}234,56{NBSP}€", "1234.56"),
            Row("24 déc. 2026", "2026-12-24", "Chèque-cadeau utilisé pour une commande Amazon.fr", f"-16,13{NBSP}€", "-16.13", f"234,56{NBSP}€", "234.56"),
            Row("1er décembre 2026", "2026-12-01", "Remboursement d'une commande Amazon.fr", "EUR 250,69", "250.69", "250,69 €", "250.69"),
        ],
        page2=[Row("2 novembre 2026", "2026-11-02", "Chèque-cadeau utilisé pour une commande Amazon.fr", f"-9{NNBSP}999,31{NBSP}€", "-9999.31", f"0,00{NBSP}€", "0.00")],
        promo_total=f"16,13{NBSP}€",
        promos=[
            Grant("Crédit promotionnel Prime Day", f"10,00{NBSP}€", "10.00", "15 janvier 2027", "2027-01-15"),
            Grant("Crédit d'achat Alexa", f"6,13{NBSP}€", "6.13", "28 févr. 2027", "2027-02-28"),
        ],
        no_rush=[Grant("Récompense livraison sans urgence", f"1,00{NBSP}€", "1.00", "3 mars 2027", "2027-03-03")],
        digital=[Grant("Crédit pour ebooks Kindle", f"2,99{NBSP}€", "2.99", "1er avril 2027", "2027-04-01")],
        checkout_gc=(f"1{NNBSP}234,56{NBSP}€", "1234.56"),
        checkout_promo=(f"16,13{NBSP}€", "16.13"),
        points=(f"1{NNBSP}250", 1250),
        program="Points Amazon",
        cart_count=2,
        subtotal=f"54,98{NBSP}€",
    ),
    Market(
        id="amazon.it",
        name="Amazon.it (Italia)",
        currency="EUR",
        locale="it_IT",
        language="it",
        html_lang="it-it",
        symbols={"€": "EUR"},
        t=localised(IT, "Amazon.it"),
        balance=("1.234,56 €", "1234.56"),
        page1=[
            Row("31 dicembre 2026", "2026-12-31", "Saldo ricaricato", "1.000,00 €", "1000.00", "1.234,56 €", "1234.56"),
            Row("31 dic 2026", "2026-12-31", "Buono Regalo applicato all'ordine Amazon.it", "-16,13 €", "-16.13", "234,56 €", "234.56"),
        ],
        page2=[Row("2 novembre 2026", "2026-11-02", "Rimborso dell'ordine Amazon.it", "EUR 250,69", "250.69", "250,69 €", "250.69")],
        promo_total="16,13 €",
        promos=[
            Grant("Credito promozionale Prime Day", "10,00 €", "10.00", "15 gennaio 2027", "2027-01-15"),
            Grant("Credito acquisti Alexa", "6,13 €", "6.13", "28 feb 2027", "2027-02-28"),
        ],
        no_rush=[Grant("Premio spedizione senza fretta", "1,00 €", "1.00", "3 marzo 2027", "2027-03-03")],
        digital=[Grant("Credito per eBook Kindle", "2,99 €", "2.99", "1 aprile 2027", "2027-04-01")],
        checkout_gc=("1.234,56 €", "1234.56"),
        checkout_promo=("16,13 €", "16.13"),
        points=("1.250", 1250),
        program="Punti Amazon",
        cart_count=5,
        subtotal="99,95 €",
    ),
    Market(
        id="amazon.es",
        name="Amazon.es (España)",
        currency="EUR",
        locale="es_ES",
        language="es",
        html_lang="es-es",
        symbols={"€": "EUR"},
        t=localised(ES, "Amazon.es"),
        balance=("1.234,56 €", "1234.56"),
        page1=[
            Row("31 de diciembre de 2026", "2026-12-31", "Saldo recargado", "1000,00 €", "1000.00", "1.234,56 €", "1234.56"),
            Row("31 dic 2026", "2026-12-31", "Cheque regalo aplicado al pedido de Amazon.es", "-16,13 €", "-16.13", "234,56 €", "234.56"),
        ],
        page2=[Row("2 de noviembre de 2026", "2026-11-02", "Reembolso del pedido de Amazon.es", "EUR 250,69", "250.69", "250,69 €", "250.69")],
        promo_total="16,13 €",
        promos=[
            Grant("Crédito promocional Prime Day", "10,00 €", "10.00", "15 de enero de 2027", "2027-01-15"),
            Grant("Crédito de compras con Alexa", "6,13 €", "6.13", "28 feb 2027", "2027-02-28"),
        ],
        no_rush=[Grant("Recompensa por envío sin prisa", "1,00 €", "1.00", "3 de marzo de 2027", "2027-03-03")],
        digital=[Grant("Crédito para eBooks Kindle", "2,99 €", "2.99", "1 de abril de 2027", "2027-04-01")],
        checkout_gc=("1.234,56 €", "1234.56"),
        checkout_promo=("16,13 €", "16.13"),
        points=("1.250", 1250),
        program="Puntos Amazon",
        cart_count=2,
        subtotal="54,98 €",
    ),
    Market(
        id="amazon.co.jp",
        name="Amazon.co.jp (日本)",
        currency="JPY",
        locale="ja_JP",
        language="ja",
        html_lang="ja-jp",
        symbols={"￥": "JPY", "¥": "JPY", "円": "JPY"},
        t=localised(JA, "Amazon.co.jp"),
        balance=("￥1,234", "1234"),
        page1=[
            Row("2026年12月31日", "2026-12-31", "チャージによる残高追加", "¥1,000", "1000", "￥1,234", "1234"),
            Row("2026/12/24", "2026-12-24", "Amazon.co.jpの注文にギフトカードを使用", "-￥5,000", "-5000", "￥234", "234"),
        ],
        page2=[Row("2026年11月2日", "2026-11-02", "Amazon.co.jpの注文の返金", "5,234円", "5234", "￥5,234", "5234")],
        promo_total="￥1,500",
        promos=[
            Grant("プライムデー プロモーションクレジット", "￥1,000", "1000", "2027年1月15日", "2027-01-15"),
            Grant("Alexa ショッピングクレジット", "¥500", "500", "2027/02/28", "2027-02-28"),
        ],
        no_rush=[Grant("お急ぎ便なし特典", "￥100", "100", "2027年3月3日", "2027-03-03")],
        digital=[Grant("Kindle本クレジット", "￥300", "300", "2027年4月1日", "2027-04-01")],
        checkout_gc=("￥1,234", "1234"),
        checkout_promo=("￥1,500", "1500"),
        points=("12,345", 12345),
        program="Amazonポイント",
        cart_count=2,
        subtotal="￥5,480",
    ),
    Market(
        id="amazon.in",
        name="Amazon.in (India)",
        currency="INR",
        locale="en_IN",
        language="en",
        html_lang="en-in",
        symbols={"₹": "INR", "Rs.": "INR"},
        t=en("Amazon.in", gc_title="Amazon Pay balance: Gift Cards", gc_label="Your Gift Card Balance"),
        balance=("₹1,23,456.78", "123456.78"),
        page1=[
            Row("31 December 2026", "2026-12-31", "Gift Card Balance added from Reload", "₹1,00,000.00", "100000.00", "₹1,23,456.78", "123456.78"),
            Row("24 Dec 2026", "2026-12-24", "Gift Card applied to Amazon.in order", "-₹1,543.22", "-1543.22", "₹23,456.78", "23456.78"),
        ],
        page2=[Row("2 November 2026", "2026-11-02", "Refund from Amazon.in order", "Rs. 25,000.00", "25000.00", "₹25,000.00", "25000.00")],
        promo_total="₹750.00",
        promos=[
            Grant("Great Indian Festival promotional credit", "₹500.00", "500.00", "15 January 2027", "2027-01-15"),
            Grant("Alexa shopping credit", "₹250.00", "250.00", "28 Feb 2027", "2027-02-28"),
        ],
        no_rush=[Grant("No-Rush delivery reward", "₹50.00", "50.00", "3 March 2027", "2027-03-03")],
        digital=[Grant("Kindle eBook credit", "₹149.00", "149.00", "1 April 2027", "2027-04-01")],
        checkout_gc=("₹1,23,456.78", "123456.78"),
        checkout_promo=("₹750.00", "750.00"),
        points=("4,520", 4520),
        program="Amazon Pay ICICI credit card rewards",
        cart_count=2,
        subtotal="₹2,498.00",
    ),
    Market(
        id="amazon.com.au",
        name="Amazon.com.au (Australia)",
        currency="AUD",
        locale="en_AU",
        language="en",
        html_lang="en-au",
        symbols={"$": "AUD", "A$": "AUD"},
        t=en("Amazon.com.au"),
        balance=("$1,234.56", "1234.56"),
        page1=[
            Row("31 December 2026", "2026-12-31", "Gift Card Balance added from Reload", "$1,000.00", "1000.00", "$1,234.56", "1234.56"),
            Row("24 Dec 2026", "2026-12-24", "Gift Card applied to Amazon.com.au order", "-A$19.48", "-19.48", "$234.56", "234.56"),
        ],
        page2=[Row("2 November 2026", "2026-11-02", "Refund from Amazon.com.au order", "AUD 254.04", "254.04", "$254.04", "254.04")],
        promo_total="$15.00",
        promos=[
            Grant("Prime Day promotional credit", "$10.00", "10.00", "15 January 2027", "2027-01-15"),
            Grant("Alexa shopping credit", "$5.00", "5.00", "28 Feb 2027", "2027-02-28"),
        ],
        no_rush=[Grant("No-Rush delivery reward", "$1.00", "1.00", "3 March 2027", "2027-03-03")],
        digital=[Grant("Kindle eBook credit", "$2.99", "2.99", "1 April 2027", "2027-04-01")],
        checkout_gc=("$1,234.56", "1234.56"),
        checkout_promo=("$15.00", "15.00"),
        points=("2,000", 2000),
        program="Amazon Rewards Mastercard",
        cart_count=2,
        subtotal="$54.98",
    ),
]

SELECTOR_NOTE = (
    "constructed by the amazon-credits developers; no capture of this page exists yet. It follows the "
    "structure of the real amazon.com /gc/balance capture (a-section, a-box, a-bordered table, a-pagination) "
    "with this marketplace's language, dates and number format. Built by tests/construct_recordings.py."
)
NEXT_QUERY = "ref_=gcf_b_bp_b_c_d_b_w&amp;next=cGFnZTI%3D"


def _head(m: Market, title: str, note: str = SELECTOR_NOTE) -> str:
    return (
        f"<!-- origin: {note} -->\n<!doctype html>\n"
        f'<html lang="{m.html_lang}"><head><meta charset="utf-8"><title>{m.name.split(" ")[0]}: {title}</title></head>\n'
        '<body>\n<div id="a-page">\n'
        '<header id="navbar"><span id="nav-cart-count" class="nav-cart-count">{cart}</span></header>\n'
    )


def _tail() -> str:
    return "</div>\n</body></html>\n"


def _activity_row(row: Row, n: int) -> str:
    # Spending rows link their (made-up) order, as the capture's rows do.
    order = f"303-0000{n:03d}-0000{n:03d}"
    link = ""
    if row.amount_value.startswith("-"):
        link = (
            '\n                            <a class="a-link-normal" href="/gp/your-account/order-details/'
            f'ref=gcf_b_bp_lpo_c_d_b_x?ie=UTF8&amp;orderID={order}"><span>{order}</span></a>'
        )
    return f"""                    <tr>
                        <td> {row.date} </td>
                        <td>
                            <span>{row.description}</span>
                            <br/>{link}
                        </td>
                        <td>
{row.amount}
                        </td>
                        <td>
{row.closing}
                        </td>
                    </tr>
"""


def gift_card_page(m: Market, rows: list[Row], second: bool) -> str:
    t = m.t
    start = 1 + (len(m.page1) if second else 0)
    body = "".join(_activity_row(r, start + i) for i, r in enumerate(rows))
    if second:
        prev = f'<li class="a-normal"><a href="/gc/balance?ref_=gcf_b_bp_b_c_d_b_w"><span class="larr">←</span><span class="a-letter-space"></span>{t["prev"]}</a></li>'
        nxt = f'<li class="a-disabled a-last">{t["next"]}<span class="a-letter-space"></span><span class="larr">→</span></li>'
    else:
        prev = f'<li class="a-disabled"><span class="larr">←</span><span class="a-letter-space"></span>{t["prev"]}</li>'
        nxt = f'<li class="a-last"><a href="/gc/balance?{NEXT_QUERY}">{t["next"]}<span class="a-letter-space"></span><span class="larr">→</span></a></li>'
    note = SELECTOR_NOTE
    if m.id == "amazon.com":
        note = (
            "constructed by the amazon-credits developers: the second page of the real amazon.com /gc/balance "
            "capture's activity (the page its 'Next' link leads to), same markup as that capture. "
            "Built by tests/construct_recordings.py."
        )
    return (
        _head(m, t["gc_title"], note).replace("{cart}", "0")
        + f"""<div id="gc-balance-table" class="a-section">
<div class="a-box a-spacing-none"><div class="a-box-inner a-padding-large">
  <div class="a-row gc-balance-box">
<div class="a-column a-span6 a-spacing-none gc-balance-left-section">
<h2 class="a-text-bold a-text-normal">
  {t["gc_label"]}:
   <span id="gc-ui-balance-gc-balance-value" class="a-color-success a-text-bold">
{m.balance[0]}
  </span>
</h2>
</div>
  </div>
</div></div>
<div class="a-section a-spacing-top-large">
    <span class="a-size-large a-text-bold">
        {t["activity"]}
    </span>
            <table class="a-bordered a-spacing-small a-spacing-top-small">
<tr>
  <th>
    {t["h_date"]}
  </th>
  <th>
    {t["h_desc"]}
  </th>
  <th>
    {t["h_amount"]}
  </th>
  <th>
    {t["h_closing"]}
  </th>
</tr>
{body}            </table>
<nav class="a-text-center"><ul class="a-pagination">{prev}
{nxt}</ul></nav>
</div>
</div>
"""
        + _tail()
    )


def _grant_rows(grants: list[Grant], prefix: str) -> str:
    return "".join(
        f"""                    <tr class="{prefix}-row">
                        <td class="{prefix}-description">
                            <span>{g.description}</span>
                        </td>
                        <td class="{prefix}-amount">
{g.amount}
                        </td>
                        <td class="{prefix}-expiry">
 {g.expires}
                        </td>
                    </tr>
"""
        for g in grants
    )


def promotional_page(m: Market) -> str:
    t = m.t
    return (
        _head(m, t["promo_title"]).replace("{cart}", "0")
        + f"""<div id="promo-balance-section" class="a-section">
<div class="a-box a-spacing-none"><div class="a-box-inner a-padding-large">
  <div class="a-row gc-balance-box">
<div class="a-column a-span6 a-spacing-none gc-balance-left-section">
<h2 class="a-text-bold a-text-normal">
  {t["promo_label"]}:
   <span id="gc-ui-promo-balance-value" class="a-color-success a-text-bold">
{m.promo_total}
  </span>
</h2>
</div>
  </div>
</div></div>
<div class="a-section a-spacing-top-large">
    <span class="a-size-large a-text-bold">
        {t["promo_section"]}
    </span>
            <table id="promo-balance-table" class="a-bordered a-spacing-small a-spacing-top-small">
<tr>
  <th>
    {t["h_promotion"]}
  </th>
  <th>
    {t["h_amount"]}
  </th>
  <th>
    {t["h_expires"]}
  </th>
</tr>
{_grant_rows(m.promos, "promo-balance").replace('class="promo-balance-description"', 'class="promo-description"').replace('class="promo-balance-amount"', 'class="promo-amount"').replace('class="promo-balance-expiry"', 'class="promo-expiry"')}            </table>
</div>
</div>
"""
        + _tail()
    )


def rewards_page(m: Market) -> str:
    t = m.t

    def section(ident: str, title: str, grants: list[Grant]) -> str:
        return f"""<div id="{ident}" class="a-section a-spacing-top-large">
    <span class="a-size-large a-text-bold">
        {title}
    </span>
            <table id="{ident}-table" class="a-bordered a-spacing-small a-spacing-top-small">
<tr>
  <th>
    {t["h_reward"]}
  </th>
  <th>
    {t["h_amount"]}
  </th>
  <th>
    {t["h_expires"]}
  </th>
</tr>
{_grant_rows(grants, "reward")}            </table>
</div>
"""

    return (
        _head(m, t["rewards_title"]).replace("{cart}", "0")
        + f"""<div id="rewards-summary" class="a-section">
<h1 class="a-spacing-medium">{t["rewards_title"]}</h1>
{section("no-rush-rewards", t["no_rush"], m.no_rush)}{section("digital-credits", t["digital"], m.digital)}</div>
"""
        + _tail()
    )


def kindle_page(m: Market) -> str:
    t = m.t
    assert m.kindle is not None
    return (
        _head(m, t["kindle_title"]).replace("{cart}", "0")
        + f"""<div id="kr-dashboard" class="a-section">
<h1 class="a-spacing-medium">{t["kindle_title"]}</h1>
<div class="a-box a-spacing-base"><div class="a-box-inner a-padding-large">
  <div id="kr-points-summary" class="a-row">
    <span class="a-size-medium">{t["kindle_label"]}:</span>
    <span id="kr-points-balance" class="a-size-extra-large a-text-bold">{m.kindle[0]}</span>
    <span class="a-size-medium">points</span>
  </div>
  <p class="a-spacing-top-small a-color-secondary">Every 200 points earns a $3 reward for Kindle eBooks.</p>
</div></div>
</div>
"""
        + _tail()
    )


def checkout_page(m: Market) -> str:
    t = m.t
    gc = t["use_gc"].format(f'<span class="a-color-price pmts-gc-balance-amount">{m.checkout_gc[0]}</span>')
    promo = t["use_promo"].format(f'<span class="a-color-price pmts-promo-balance-amount">{m.checkout_promo[0]}</span>')
    points = t["points"].format(f'<span class="a-color-price pmts-rewards-points-value">{m.points[0]}</span>')
    note = (
        "constructed by the amazon-credits developers; no capture of the payment-selection step exists yet. "
        "It follows amazon.com's constructed checkout page (form ids, a-* classes, a-color-price amounts) in "
        "this marketplace's language and number format. The 'place order' form is here on purpose: tests "
        "prove that submitting it cannot reach the network. Built by tests/construct_recordings.py."
    )
    return (
        _head(m, t["checkout"], note).replace("{cart}", str(m.cart_count))
        + f"""<div class="a-section a-spacing-none">
<h1 class="a-spacing-base">{t["checkout"]}</h1>
<form id="pp-payment-form" name="ppw-widget" method="post" action="/gp/buy/payselect/handlers/apx-submit.html">
<div class="a-box a-spacing-base"><div class="a-box-inner">
  <h2 class="a-spacing-small">{t["balances"]}</h2>
  <div id="pmts-gc-balance-line" class="a-row a-spacing-small pmts-balance-line">
    <input type="checkbox" name="ppw-gcBalance" id="pmts-gc-balance-checkbox" checked>
    <label for="pmts-gc-balance-checkbox">
      {gc}
    </label>
  </div>
  <div id="pmts-promo-balance-line" class="a-row a-spacing-small pmts-balance-line">
    <input type="checkbox" name="ppw-promoBalance" id="pmts-promo-balance-checkbox" checked>
    <label for="pmts-promo-balance-checkbox">
      {promo}
    </label>
  </div>
  <div id="pmts-rewards-points-line" class="a-row a-spacing-small pmts-balance-line">
    <input type="checkbox" name="ppw-rewardsPoints" id="pmts-rewards-points-checkbox">
    <label for="pmts-rewards-points-checkbox">
      <span class="pmts-rewards-program">{m.program}</span>:
      {points}
    </label>
  </div>
</div></div>
<span class="a-button a-button-primary"><span class="a-button-inner">
  <input type="submit" name="ppw-widgetEvent:SetPaymentPlanSelectContinueEvent" class="a-button-input" value="Continue">
  <span class="a-button-text">{t["continue"]}</span>
</span></span>
</form>
<form id="placeYourOrder" method="post" action="/gp/buy/spc/handlers/place-order.html">
  <input type="hidden" name="submitFromSPC" value="1">
  <span id="submitOrderButtonId" class="a-button a-button-primary"><span class="a-button-inner">
    <input id="placeOrder" name="placeYourOrder1" class="a-button-input" type="submit" value="{t["place"]}">
    <span class="a-button-text">{t["place"]}</span>
  </span></span>
</form>
</div>
"""
        + _tail()
    )


def cart_page(m: Market, empty: bool) -> str:
    t = m.t
    if empty:
        inner = f"""<div id="sc-active-cart" class="a-section sc-empty-cart">
  <div class="a-row sc-your-amazon-cart-is-empty"><h1 class="a-spacing-mini">{t["empty"]}</h1></div>
</div>
"""
    else:
        items = "".join(
            f"""  <div class="a-row sc-list-item" data-asin="B00000000{i}" data-itemtype="active">
    <span class="a-truncate-full sc-product-title">Item {i}</span>
    <select name="quantity" class="a-native-dropdown"><option value="1" selected>1</option></select>
    <input type="submit" name="submit.delete.C{i}" value="Delete" class="a-color-link">
  </div>
"""
            for i in range(1, m.cart_count + 1)
        )
        inner = f"""<div id="sc-active-cart" class="a-section">
<h1 class="a-spacing-mini">{t["cart"]}</h1>
<form id="activeCartViewForm" method="post" action="/gp/cart/view.html">
{items}  <div class="a-row sc-subtotal">
    <span id="sc-subtotal-label-activecart" class="a-size-medium">{t["subtotal"].format(m.cart_count)}</span>
    <span id="sc-subtotal-amount-activecart" class="a-size-medium a-text-bold">{m.subtotal}</span>
  </div>
  <input type="submit" name="proceedToRetailCheckout" value="Proceed to checkout">
</form>
</div>
"""
    note = SELECTOR_NOTE.replace("/gc/balance capture (a-section, a-box, a-bordered table, a-pagination)", "captures (a-section, a-row, header #nav-cart-count)")
    head = _head(m, t["cart"], note).replace("{cart}", "0" if empty else str(m.cart_count))
    return head + inner + _tail()


# ---------------------------------------------------------------- expected results


def _balance(kind: str, page: str, amount: str | None = None, currency: str | None = None, points: int | None = None,
             expires: str | None = None, description: str | None = None) -> dict[str, object]:
    return {
        "kind": kind,
        "amount": amount,
        "currency": currency,
        "points": points,
        "expires_on": expires,
        "description": description,
        "page": page,
        "found_by": "selector",
    }


def _expected(page: str, m: Market, balances: list[dict[str, object]], activity: list[Row] | None = None,
              item_count: int | None = None) -> dict[str, object]:
    result: dict[str, object] = {
        "page": page,
        "marketplace": m.id,
        "error": None,
        "balances": balances,
        "problems": [],
        "activity": [
            {
                "date": r.iso,
                "description": r.description,
                "amount": r.amount_value,
                "closing_balance": r.closing_value,
                "currency": m.currency,
            }
            for r in activity or []
        ],
    }
    if item_count is not None:
        result["item_count"] = item_count
    return result


def _grants(kind: str, page: str, m: Market, grants: list[Grant]) -> list[dict[str, object]]:
    return [_balance(kind, page, g.value, m.currency, expires=g.iso, description=g.description) for g in grants]


def build(m: Market) -> list[tuple[str, str, str | None, dict[str, object]]]:
    """(file stem, url path, html or None for a captured page, expected) for every page of a marketplace."""
    pages: list[tuple[str, str, str | None, dict[str, object]]] = []
    gc = _balance("gift_card", "gift_card_balance", m.balance[1], m.currency)
    # amazon.com's first page is the real capture: only its expected result is written here.
    first = None if "gift-card-balance" in m.own else gift_card_page(m, m.page1, False)
    pages.append(("gift-card-balance", "/gc/balance", first, _expected("gift_card_balance", m, [gc], m.page1)))
    pages.append(("gift-card-balance-2", "/gc/balance?" + NEXT_QUERY.replace("&amp;", "&"), gift_card_page(m, m.page2, True),
                  _expected("gift_card_balance", m, [gc], m.page2)))
    if "promotional-balance" not in m.own:
        pages.append(("promotional-balance", "/gc/promotional-balance", promotional_page(m),
                      _expected("promotional_balance", m, _grants("promotional", "promotional_balance", m, m.promos))))
    pages.append(("rewards", "/norushcredits", rewards_page(m),
                  _expected("rewards", m, _grants("no_rush", "rewards", m, m.no_rush) + _grants("digital_credit", "rewards", m, m.digital))))
    if m.kindle is not None:
        pages.append(("kindle-rewards", "/kindle-dbs/kindle-rewards", kindle_page(m),
                      _expected("kindle_rewards", m, [_balance("kindle_points", "kindle_rewards", points=m.kindle[1])])))
    if "checkout-payment" not in m.own:
        pages.append(("checkout-payment", "/gp/buy/payselect/handlers/display.html", checkout_page(m), _expected(
            "checkout_payment", m, [
                _balance("gift_card", "checkout_payment", m.checkout_gc[1], m.currency),
                _balance("promotional", "checkout_payment", m.checkout_promo[1], m.currency),
                _balance("reward_points", "checkout_payment", points=m.points[1], description=m.program),
            ])))
    pages.append(("cart", "/gp/cart/view.html", cart_page(m, False), _expected("cart", m, [], item_count=m.cart_count)))
    pages.append(("cart-empty", "/gp/cart/view.html?state=empty", cart_page(m, True), _expected("cart", m, [], item_count=0)))
    return pages


# ---------------------------------------------------------------- selectors files


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def selectors_toml(m: Market) -> str:
    t = m.t
    symbols = ", ".join(f"{_toml_str(k)} = {_toml_str(v)}" for k, v in m.symbols.items())
    kindle = ""
    if m.kindle is not None:
        kindle = f"""
# Kindle Rewards: constructed page (no capture yet).
[pages.kindle_rewards]
url = "/kindle-dbs/kindle-rewards"
url_patterns = ["^/kindle-dbs/kindle-rewards"]
markers = ["#kr-dashboard", "#kr-points-balance"]

[[pages.kindle_rewards.fields]]
name = "kindle_points"
kind = "kindle_points"
points = ["#kr-points-balance", "#kr-points-summary span.a-text-bold"]
labels = [{_toml_str(t["kindle_label"])}]
"""
    return f"""# Site data for {m.id}. Data only: read by scraper/sitedata.py, validated on load.
# Each selector list is ordered: the first candidate that matches wins. `labels` are this
# marketplace's own words for the last-resort rule (a value next to its label).
# Pages: constructed after the real amazon.com captures (see recordings/{m.id}/manifest.toml).
# Generated by tests/construct_recordings.py; a user's <config dir>/selectors/{m.id}.toml overrides it.

[marketplace]
id = {_toml_str(m.id)}
name = {_toml_str(m.name)}
base_url = "https://www.{m.id}"
currency = {_toml_str(m.currency)}
locale = {_toml_str(m.locale)}
language = {_toml_str(m.language)}
currency_symbols = {{ {symbols} }}

[pages.gift_card_balance]
url = "/gc/balance"
url_patterns = ["^/gc/balance"]
markers = ["#gc-ui-balance-gc-balance-value", "div#gc-balance-table"]

[[pages.gift_card_balance.fields]]
name = "gift_card"
kind = "gift_card"
amount = ["#gc-ui-balance-gc-balance-value", "div.gc-balance-box h2 span.a-color-success"]
labels = [{_toml_str(t["gc_label"])}]

[pages.gift_card_balance.activity]
table = ["div#gc-balance-table table.a-bordered", "table.a-bordered"]
rows = ["tr"]
date = ["td:nth-child(1)"]
description = ["td:nth-child(2) > span", "td:nth-child(2)"]
amount = ["td:nth-child(3)"]
closing_balance = ["td:nth-child(4)"]
balance_field = "gift_card"
next_page = ["ul.a-pagination li.a-last a"]
previous_page = ["ul.a-pagination li:first-child a"]

[pages.promotional_balance]
url = "/gc/promotional-balance"
url_patterns = ["^/gc/promotional-balance"]
markers = ["#gc-ui-promo-balance-value", "table#promo-balance-table"]

[[pages.promotional_balance.fields]]
name = "promotional"
kind = "promotional"
container = ["table#promo-balance-table"]
rows = ["table#promo-balance-table tr.promo-balance-row"]
amount = ["td.promo-amount"]
description = ["td.promo-description"]
expires = ["td.promo-expiry"]
labels = [{_toml_str(t["promo_label"])}]

# No-Rush rewards and digital credits: constructed page (no capture yet).
[pages.rewards]
url = "/norushcredits"
url_patterns = ["^/norushcredits"]
markers = ["#rewards-summary", "table#no-rush-rewards-table", "table#digital-credits-table"]

[[pages.rewards.fields]]
name = "no_rush"
kind = "no_rush"
container = ["table#no-rush-rewards-table"]
rows = ["table#no-rush-rewards-table tr.reward-row"]
amount = ["td.reward-amount"]
description = ["td.reward-description"]
expires = ["td.reward-expiry"]
labels = [{_toml_str(t["no_rush"])}]

[[pages.rewards.fields]]
name = "digital_credit"
kind = "digital_credit"
container = ["table#digital-credits-table"]
rows = ["table#digital-credits-table tr.reward-row"]
amount = ["td.reward-amount"]
description = ["td.reward-description"]
expires = ["td.reward-expiry"]
labels = [{_toml_str(t["digital"])}]
{kindle}
# The cart: read only for its item count; the checkout walk visits it first and goes on only
# when it holds items. Not walked on its own.
[pages.cart]
url = "/gp/cart/view.html"
url_patterns = ["^/gp/cart/view\\\\.html", "^/cart"]
markers = ["#sc-active-cart", "form#activeCartViewForm"]
item_count = ["#sc-subtotal-label-activecart", "#nav-cart-count"]
walk = false

# Checkout payment selection: read only; the walk never goes past it, and scraper/guard.py
# aborts every request that would place an order.
[pages.checkout_payment]
url = "/gp/buy/payselect/handlers/display.html"
url_patterns = ["^/gp/buy/payselect/", "^/checkout/p/[^/]+/pay"]
markers = ["form#pp-payment-form", "#pmts-gc-balance-line"]
walk = false
complete = ['#pp-payment-form input[name="ppw-widgetEvent:SetPaymentPlanSelectContinueEvent"]']  # the form's last control: a page cut before it may hide balances

[[pages.checkout_payment.fields]]
name = "checkout_gift_card"
kind = "gift_card"
amount = ["#pmts-gc-balance-line span.pmts-gc-balance-amount"]
labels = [{_toml_str(t["gc_line_label"])}]
optional = true

[[pages.checkout_payment.fields]]
name = "checkout_promotional"
kind = "promotional"
amount = ["#pmts-promo-balance-line span.pmts-promo-balance-amount"]
labels = [{_toml_str(t["promo_line_label"])}]
optional = true

[[pages.checkout_payment.fields]]
name = "card_reward_points"
kind = "reward_points"
points = ["#pmts-rewards-points-line span.pmts-rewards-points-value"]
description = ["#pmts-rewards-points-line span.pmts-rewards-program"]
labels = [{_toml_str(t["points_label"])}]
optional = true
"""


# Sign-in texts per language, English always included: a marketplace may be browsed in English
# (amazon.de offers it), and the English words are the tool's defaults. Greetings are what the
# header shows to nobody signed in; the error texts are best-known wordings, not yet checked
# against captures of these marketplaces (an unmatched error text falls back to the step's meaning).
SIGNIN_EN = {
    "signed_out_greetings": ["Hello, sign in"],
    "unknown_account_texts": ["cannot find an account", "No account found"],
    "bad_otp_texts": ["code you entered is not valid", "Invalid code"],
}
SIGNIN = {
    "en": {},
    "de": {
        "signed_out_greetings": ["Hallo, anmelden"],
        "unknown_account_texts": ["kein Konto mit dieser E-Mail-Adresse"],
        "bad_otp_texts": ["eingegebene Code ist ungültig", "Ungültiger Code"],
    },
    "fr": {
        "signed_out_greetings": ["Bonjour, identifiez-vous"],
        "unknown_account_texts": ["Impossible de trouver un compte"],
        "bad_otp_texts": ["code saisi n'est pas valide", "Code non valide"],
    },
    "it": {
        "signed_out_greetings": ["Ciao, accedi"],
        "unknown_account_texts": ["Impossibile trovare un account"],
        "bad_otp_texts": ["codice inserito non è valido", "Codice non valido"],
    },
    "es": {
        "signed_out_greetings": ["Hola, identifícate"],
        "unknown_account_texts": ["No encontramos ninguna cuenta"],
        "bad_otp_texts": ["código que has introducido no es válido", "código que ingresaste no es válido", "Código no válido"],
    },
    "ja": {
        "signed_out_greetings": ["こんにちは, ログイン", "こんにちは、ログイン"],
        "unknown_account_texts": ["アカウントが見つかりません"],
        "bad_otp_texts": ["入力したコードが無効です", "無効なコード"],
    },
}


def signin_toml(m: Market) -> str:
    local = SIGNIN[m.language]
    lines = ["", "# Sign-in texts (steps are recognised by element ids, the same on every marketplace).", "[signin]",
             'check_url = "/gp/css/homepage.html"']
    for key, english in SIGNIN_EN.items():
        lines.append(f"{key} = {_toml_list(local.get(key, []) + english)}")
    return "\n".join(lines) + "\n"


def manifest_toml(m: Market, pages: list[tuple[str, str, str | None, dict[str, object]]]) -> str:
    lines = [
        f"# Recorded {m.id} pages, served by scraper/replay.py at their real URLs.",
        "# Each page's expected extraction is NAME.expected.json beside it.",
        "# Every page here is constructed (tests/construct_recordings.py): no capture of this marketplace exists yet.",
        f'marketplace = "{m.id}"',
    ]
    for stem, path, _, _ in pages:
        what = "the empty cart, served at the cart URL by tests that need it" if stem == "cart-empty" else "built by us after the structure of the real amazon.com /gc/balance capture"
        lines += [
            "",
            "[[page]]",
            f'url = "https://www.{m.id}{path}"',
            f'file = "{stem}.html"',
            'origin = "constructed"',
            f'source = "{what}, in {m.id}\'s language and number format"',
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    for m in MARKETS:
        folder = ROOT / "recordings" / m.id
        folder.mkdir(parents=True, exist_ok=True)
        pages = build(m)
        for stem, _, html, expected in pages:
            if html is not None:
                (folder / f"{stem}.html").write_text(html, encoding="utf-8")
            (folder / f"{stem}.expected.json").write_text(
                json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        if m.id == "amazon.com":
            continue  # amazon.com's selectors file and manifest hold its captured page: edited by hand
        (folder / "manifest.toml").write_text(manifest_toml(m, pages), encoding="utf-8")
        (ROOT / "selectors" / f"{m.id}.toml").write_text(selectors_toml(m) + signin_toml(m), encoding="utf-8")


if __name__ == "__main__":
    main()
