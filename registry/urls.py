"""Every route of the registry's public site (mounted under i18n_patterns: English at /, Korean at
/ko/): pages, the calendar feed and agreement documents. The API has its own URLconf
(:mod:`registry.api.urls`)."""

from django.urls import path

from . import documents, feeds, views

app_name = "registry"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("network/national/", views.NationalNetworkView.as_view(), name="national-network"),
    path("counting/", views.CountingView.as_view(), name="counting"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed.atom", feeds.RegistryFeed(), name="feed"),
    path("widget/", views.NetworkWidgetView.as_view(), name="widget"),
    path("widget/<slug:slug>/", views.CityWidgetView.as_view(), name="city-widget"),
    path("cities/", views.CityListView.as_view(), name="city-list"),
    path("cities/<slug:slug>/", views.CityDetailView.as_view(), name="city-detail"),
    path("cities/<slug:slug>/network/", views.CityNetworkView.as_view(), name="city-network"),
    path("partnerships/<int:pk>/", views.PartnershipDetailView.as_view(), name="partnership-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<slug:slug>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<slug:slug>/document.pdf", documents.agreement_document, name="agreement-document"),
    path("anniversaries/", views.AnniversaryListView.as_view(), name="anniversary-list"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/calendar.ics", views.CalendarView.as_view(), name="event-calendar"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    path("delegations/", views.DelegationListView.as_view(), name="delegation-list"),
    path("delegations/<slug:slug>/", views.DelegationDetailView.as_view(), name="delegation-detail"),
]
