"""Every route of the registry's public site (mounted under i18n_patterns: English at /, Korean at
/ko/): pages, the calendar feed and agreement documents. The API has its own URLconf
(:mod:`registry.api.urls`)."""

from django.urls import path

from . import documents, feeds, views_network, views_places, views_records, views_site

app_name = "registry"

urlpatterns = [
    path("", views_network.HomeView.as_view(), name="home"),
    path("network/national/", views_network.NationalNetworkView.as_view(), name="national-network"),
    path("counting/", views_network.CountingView.as_view(), name="counting"),
    path("search/", views_site.SearchView.as_view(), name="search"),
    path("feed.atom", feeds.RegistryFeed(), name="feed"),
    path("widget/", views_site.NetworkWidgetView.as_view(), name="widget"),
    path("widget/<slug:slug>/", views_site.CityWidgetView.as_view(), name="city-widget"),
    path("cities/", views_places.CityListView.as_view(), name="city-list"),
    path("cities/<slug:slug>/", views_places.CityDetailView.as_view(), name="city-detail"),
    path("cities/<slug:slug>/network/", views_network.CityNetworkView.as_view(), name="city-network"),
    # The partnerships are listed as the home city's partner cities (a new user tried this address: 404).
    path("partnerships/", views_places.PartnershipListRedirect.as_view(), name="partnership-list"),
    path("partnerships/<int:pk>/", views_places.PartnershipDetailView.as_view(), name="partnership-detail"),
    path("countries/", views_places.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", views_places.CountryDetailView.as_view(), name="country-detail"),
    path("agreements/", views_records.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<slug:slug>/", views_records.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<slug:slug>/document.pdf", documents.agreement_document, name="agreement-document"),
    path("anniversaries/", views_records.AnniversaryListView.as_view(), name="anniversary-list"),
    path("events/", views_records.EventListView.as_view(), name="event-list"),
    path("events/calendar.ics", views_records.CalendarView.as_view(), name="event-calendar"),
    path("events/<slug:slug>/", views_records.EventDetailView.as_view(), name="event-detail"),
    path("delegations/", views_records.DelegationListView.as_view(), name="delegation-list"),
    path("delegations/<slug:slug>/", views_records.DelegationDetailView.as_view(), name="delegation-detail"),
]
