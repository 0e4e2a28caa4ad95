//! The bearer security scheme: holding a `BearerAuth` is the proof that the request carries a
//! valid access token of an active account. The actor's role and scope come from the database
//! (through the directory's copy, dropped on every account change), so a deactivation takes
//! effect from the next request on.

use campaign_domain::ids::UserId;
use campaign_domain::policy::Actor;
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::problem::ApiError;
use crate::state::AppState;

/// A signed-in actor.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Actor);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| ApiError::internal(&"the application state is not attached to the request"))?;
    let claims = state.auth.keys.verify(&bearer.token).map_err(ApiError::unauthorized)?;
    let id = uuid::Uuid::parse_str(&claims.sub)
        .map(UserId::from_uuid)
        .map_err(|_| ApiError::unauthorized("the access token is not valid; sign in again"))?;
    let account = state.directory.account(id).await.map_err(ApiError::from)?;
    match account {
        Some(account) if account.active => Ok(Actor {
            user_id: account.id,
            membership: account.membership,
        }),
        Some(_) => Err(ApiError::unauthorized("this account is deactivated; ask the campaign staff").into()),
        None => Err(ApiError::unauthorized("the account of this token no longer exists").into()),
    }
}
