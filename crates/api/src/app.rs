//! The one application builder, used by `campaign serve` and by every test.

use poem::middleware::{CatchPanic, Cors};
use poem::{Endpoint, EndpointExt, Response, Route, get};
use poem_openapi::{OpenApi, OpenApiService};

use crate::config::HttpSettings;
use crate::http::{
    BodyLimit, ControlCharacters, Gzip, REQUEST_ID_HEADER, RateLimit, RequestContext, RequestSchemas, TimeLimit,
};
use crate::routes::activities::{ActivitiesApi, PublicActivitiesApi};
use crate::routes::audit::AuditApi;
use crate::routes::auth::AuthApi;
use crate::routes::campaigns::CampaignsApi;
use crate::routes::deposits::DepositsApi;
use crate::routes::digest::DigestApi;
use crate::routes::engagements::EngagementsApi;
use crate::routes::fourth_pillar_overview::FourthPillarOverviewApi;
use crate::routes::fund::FundApi;
use crate::routes::group_totals::GroupTotalsApi;
use crate::routes::groups::GroupsApi;
use crate::routes::health::{healthz, readyz};
use crate::routes::imports::ImportsApi;
use crate::routes::initiatives::InitiativesApi;
use crate::routes::inquiries::InquiriesApi;
use crate::routes::ledger::LedgerApi;
use crate::routes::materials::MaterialsApi;
use crate::routes::member_orgs::MemberOrgsApi;
use crate::routes::municipalities::MunicipalitiesApi;
use crate::routes::municipality_overview::MunicipalityOverviewApi;
use crate::routes::offers::OffersApi;
use crate::routes::outlines::OutlinesApi;
use crate::routes::programmes::ProgrammesApi;
use crate::routes::public_municipalities::PublicMunicipalitiesApi;
use crate::routes::questions::QuestionsApi;
use crate::routes::totals::TotalsApi;
use crate::routes::trainings::TrainingsApi;
use crate::routes::users::UsersApi;
use crate::routes::webhooks::WebhooksApi;
use crate::state::AppState;
use campaign_persistence::activities::ActivityRepo;
use campaign_persistence::audit::AuditRepo;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::deposits::DepositRepo;
use campaign_persistence::engagements::EngagementRepo;
use campaign_persistence::fund::FundRepo;
use campaign_persistence::groups::GroupRepo;
use campaign_persistence::imports::ImportRepo;
use campaign_persistence::initiatives::InitiativeRepo;
use campaign_persistence::inquiries::InquiryRepo;
use campaign_persistence::ledger::LedgerRepo;
use campaign_persistence::login_attempts::LoginAttemptRepo;
use campaign_persistence::materials::MaterialRepo;
use campaign_persistence::member_orgs::MemberOrgRepo;
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::offers::OfferRepo;
use campaign_persistence::programmes::ProgrammeRepo;
use campaign_persistence::questions::QuestionRepo;
use campaign_persistence::refresh_tokens::RefreshTokenRepo;
use campaign_persistence::totals::TotalsRepo;
use campaign_persistence::trainings::TrainingRepo;
use campaign_persistence::users::UserRepo;
use campaign_persistence::webhooks::WebhookRepo;

pub const API_PREFIX: &str = "/api/v1";

/// The OpenAPI service with every operation of `/api/v1`.
pub fn api_service(state: &AppState) -> OpenApiService<impl OpenApi + 'static, ()> {
    let db = &state.db;
    let shapes = crate::routes::map_shapes::MapShapes::default();
    let municipalities = MunicipalitiesApi {
        repo: MunicipalityRepo::new(db.clone()),
        geo: state.geo.clone(),
    };
    let auth = AuthApi {
        users: UserRepo::new(db.clone()),
        tokens: RefreshTokenRepo::new(db.clone()),
        audit: AuditRepo::new(db.clone()),
        attempts: LoginAttemptRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let users = UsersApi {
        users: UserRepo::new(db.clone()),
        directory: state.directory.clone(),
        municipalities: MunicipalityRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let campaigns = CampaignsApi {
        campaigns: CampaignRepo::new(db.clone()),
        prices: state.prices.clone(),
        auth: state.auth.clone(),
    };
    let audit = AuditApi {
        audit: AuditRepo::new(db.clone()),
    };
    let groups = GroupsApi {
        groups: GroupRepo::new(db.clone()),
        directory: state.directory.clone(),
        municipalities: MunicipalityRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let activities = ActivitiesApi {
        activities: ActivityRepo::new(db.clone()),
        groups: GroupRepo::new(db.clone()),
        campaigns: CampaignRepo::new(db.clone()),
        geo: state.geo.clone(),
        auth: state.auth.clone(),
    };
    let public_municipalities = PublicMunicipalitiesApi {
        repo: MunicipalityRepo::new(db.clone()),
        geo: state.geo.clone(),
    };
    let public = PublicActivitiesApi {
        activities: ActivityRepo::new(db.clone()),
        campaigns: CampaignRepo::new(db.clone()),
    };
    let materials = MaterialsApi {
        materials: MaterialRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let totals = TotalsApi {
        live: state.live.clone(),
        users: UserRepo::new(db.clone()),
        auth: state.auth.clone(),
        totals: TotalsRepo::new(db.clone()),
        campaigns: CampaignRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        groups: GroupRepo::new(db.clone()),
        activities: ActivityRepo::new(db.clone()),
        shapes: shapes.clone(),
    };
    let ledger = LedgerApi {
        prices: state.prices.clone(),
        feed: state.totals_feed.clone(),
        ledger: LedgerRepo::new(db.clone()),
        groups: GroupRepo::new(db.clone()),
        directory: state.directory.clone(),
        campaigns: CampaignRepo::new(db.clone()),
        activities: ActivityRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let group_totals = GroupTotalsApi {
        groups: GroupRepo::new(db.clone()),
        campaigns: CampaignRepo::new(db.clone()),
        totals: TotalsRepo::new(db.clone()),
    };
    let overview = MunicipalityOverviewApi {
        municipalities: MunicipalityRepo::new(db.clone()),
        campaigns: CampaignRepo::new(db.clone()),
        totals: TotalsRepo::new(db.clone()),
        groups: GroupRepo::new(db.clone()),
        activities: ActivityRepo::new(db.clone()),
        materials: MaterialRepo::new(db.clone()),
        engagements: EngagementRepo::new(db.clone()),
        questions: QuestionRepo::new(db.clone()),
        inquiries: InquiryRepo::new(db.clone()),
    };
    let programmes = ProgrammesApi {
        programmes: ProgrammeRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let engagements = EngagementsApi {
        engagements: EngagementRepo::new(db.clone()),
        programmes: ProgrammeRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        shapes,
        auth: state.auth.clone(),
    };
    let questions = QuestionsApi {
        questions: QuestionRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        initiatives: InitiativeRepo::new(db.clone()),
        users: UserRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let member_orgs = MemberOrgsApi {
        organisations: MemberOrgRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let offers = OffersApi {
        offers: OfferRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let inquiries = InquiriesApi {
        inquiries: InquiryRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let initiatives = InitiativesApi {
        initiatives: InitiativeRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let fund = FundApi {
        fund: FundRepo::new(db.clone()),
        initiatives: InitiativeRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let fourth_pillar = FourthPillarOverviewApi {
        initiatives: InitiativeRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        fund: FundRepo::new(db.clone()),
        trainings: TrainingRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let deposits = DepositsApi {
        deposits: DepositRepo::new(db.clone()),
        groups: GroupRepo::new(db.clone()),
        campaigns: CampaignRepo::new(db.clone()),
        municipalities: MunicipalityRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let trainings = TrainingsApi {
        trainings: TrainingRepo::new(db.clone()),
        auth: state.auth.clone(),
    };
    let webhooks = WebhooksApi {
        webhooks: WebhookRepo::new(db.clone()),
        settings: state.webhooks,
        auth: state.auth.clone(),
    };
    let digest = DigestApi {
        db: db.clone(),
        auth: state.auth.clone(),
    };
    let imports = ImportsApi {
        imports: ImportRepo::new(db.clone()),
        directory: state.directory.clone(),
        auth: state.auth.clone(),
    };
    let outlines = OutlinesApi {
        municipalities: MunicipalityRepo::new(db.clone()),
        geo: state.geo.clone(),
    };
    OpenApiService::new(
        (
            (auth, group_totals, overview, outlines),
            users,
            municipalities,
            campaigns,
            audit,
            groups,
            activities,
            (public, public_municipalities),
            ledger,
            materials,
            totals,
            (programmes, engagements, questions, member_orgs),
            (offers, inquiries),
            (initiatives, fund, trainings, fourth_pillar),
            (deposits, webhooks, digest, imports),
        ),
        "11.11.11 campaign API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Coordinates 11.11.11's November campaign in Flanders and Brussels: volunteer groups, \
             their activities and money, material requests of municipalities, and totals. \
             Errors are application/problem+json (RFC 9457). \
             Municipal boundaries (lookup, map, activity places), unless an operator imported \
             others: Statbel (Algemene Directie Statistiek), statistische sectoren 01/01/2025; \
             simplified by Data & Analyse van de Vlaamse provincies \
             (github.com/provinciesincijfers/gebiedsniveaus).",
    )
    .server(API_PREFIX)
}

/// The whole HTTP application: API, spec, docs, health checks and the middleware stack.
pub fn app(state: AppState) -> impl Endpoint<Output = Response> {
    let api = api_service(&state);
    let spec_json = api.spec();
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let routes = Route::new()
        .at(format!("{API_PREFIX}/openapi.json"), get(spec))
        .nest(API_PREFIX, api)
        .nest("/docs", get(docs))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(crate::metrics::metrics));
    let routes = crate::web::add_routes(routes);

    let http = state.http.clone();
    let schemas = RequestSchemas::new(&spec_json, API_PREFIX);
    let metrics = state.metrics.clone();
    let limit = RateLimit::new(http.write_rate_limit, http.read_rate_limit, state.auth.clone());
    with_http_layers(
        routes.with(ControlCharacters).with(limit).data(state),
        &http,
        schemas,
        metrics,
    )
}

/// The middleware stack every answer passes through: the body limit, panic catching, the time
/// limit, CORS (only for the listed origins; outside the first three, so a 413, a 500 or a 503
/// time-out carries its headers too), the request id, logging and the problem+json rewriting of
/// errors, and outermost gzip for JSON, GeoJSON and CSV answers the client accepts it for.
pub fn with_http_layers<E: Endpoint + 'static>(
    ep: E,
    http: &HttpSettings,
    schemas: RequestSchemas,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
) -> impl Endpoint<Output = Response> + use<E> {
    let cors = (!http.cors_origins.is_empty()).then(|| {
        Cors::new()
            .allow_origins(http.cors_origins.iter().map(String::as_str))
            .allow_methods(["GET", "POST", "PATCH", "DELETE", "OPTIONS"])
            .allow_headers(["authorization", "content-type", "idempotency-key", "if-match", "accept"])
            .expose_headers([
                REQUEST_ID_HEADER,
                "retry-after",
                "etag",
                "location",
                "idempotent-replayed",
            ])
            .max_age(600)
    });
    ep.with(BodyLimit {
        max_bytes: http.max_body_bytes,
    })
    .with(CatchPanic::new())
    .with(TimeLimit {
        timeout: http.request_timeout,
    })
    .with_if(cors.is_some(), cors.unwrap_or_default())
    .with(RequestContext {
        schemas: std::sync::Arc::new(schemas),
        metrics,
    })
    .with(Gzip)
}
