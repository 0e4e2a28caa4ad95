// Dutch texts of the member organisation's page.
export default {
  'organisation.title': 'Ons aanbod voor gemeenten',
  'organisation.nav.inbox': 'Aanvragen',
  'organisation.nav.offers': 'Ons aanbod',
  'organisation.nav.new': 'Nieuw aanbod',
  'organisation.none': 'Aan je account is geen lidorganisatie gekoppeld. Vraag 11.11.11 om dat na te kijken.',

  'organisation.inbox.title': 'Aanvragen van gemeenten',
  'organisation.inbox.intro': 'Gemeenten vragen hier naar je aanbod. Je eerste bericht beantwoordt de aanvraag; spreek daarna samen af, of laat weten dat het niet doorgaat.',
  'organisation.inbox.from': 'Gemeente {nis}',
  'organisation.inbox.none': 'Er zijn nog geen aanvragen.',
  'organisation.inbox.failed': 'De aanvragen konden niet geladen worden: {detail}',

  'organisation.offers.title': 'Ons aanbod',
  'organisation.offers.none': 'Je organisatie heeft nog geen aanbod gepubliceerd.',
  'organisation.offers.failed': 'Het aanbod kon niet geladen worden: {detail}',
  'organisation.offers.withdraw': 'Niet meer aanbieden',
  'organisation.offers.offerAgain': 'Opnieuw aanbieden',

  'organisation.new.title': 'Nieuw aanbod publiceren',
  'organisation.new.titleLabel': 'Titel',
  'organisation.new.description': 'Beschrijving',
  'organisation.new.formats': 'Vorm',
  'organisation.new.themes': 'Thema\'s',
  'organisation.new.audiences': 'Voor wie',
  'organisation.new.provinces': 'Waar (niets aangevinkt: heel Vlaanderen en Brussel)',
  'organisation.new.cost': 'Kostprijs (bv. gratis, €150 per sessie)',
  'organisation.new.link': 'Webpagina',
  'organisation.new.publish': 'Publiceren',
  'organisation.new.published': 'Je aanbod is gepubliceerd; gemeenten vinden het nu.',
};
