//! The bearer security scheme: holding a `BearerAuth` is the proof that the request carries a
//! valid access token of an active account. The actor's role and scope come from the database,
//! so a deactivation or a role change takes effect at once.

use campaign_domain::ids::UserId;
use campaign_domain::policy::Actor;
use campaign_persistence::users::UserRepo;
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
    let user = UserRepo::new(state.db.clone()).get(id).await.map_err(ApiError::from)?;
    match user {
        Some(user) if user.active => Ok(Actor {
            user_id: user.id,
            membership: user.membership,
        }),
        Some(_) => Err(ApiError::unauthorized("this account is deactivated; ask the campaign staff").into()),
        None => Err(ApiError::unauthorized("the account of this token no longer exists").into()),
    }
}
