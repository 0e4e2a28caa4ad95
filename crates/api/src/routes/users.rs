//! `/users` (staff manage accounts) and `/me` (anyone signed in).

use std::sync::Arc;

use campaign_domain::ids::{GroupId, InitiativeId, MemberOrgId, UserId};
use campaign_domain::municipality::NisCode;
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::{Email, Membership, NewPassword, PersonName, Role, ScopeFields};
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::users::{NewUser, StoredUser, UserChanges, UserFilter, UserRepo};
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "users";

/// What a person does in the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RoleName {
    Staff,
    Volunteer,
    MunicipalContact,
    /// A person of one member organisation (`member_org_id`).
    MemberOrg,
    /// A person of one 4th-pillar citizen initiative (`initiative_id`).
    Initiative,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Self {
        match r {
            RoleName::Staff => Role::Staff,
            RoleName::Volunteer => Role::Volunteer,
            RoleName::MunicipalContact => Role::MunicipalContact,
            RoleName::MemberOrg => Role::MemberOrg,
            RoleName::Initiative => Role::Initiative,
        }
    }
}

impl From<Role> for RoleName {
    fn from(r: Role) -> Self {
        match r {
            Role::Staff => RoleName::Staff,
            Role::Volunteer => RoleName::Volunteer,
            Role::MunicipalContact => RoleName::MunicipalContact,
            Role::MemberOrg => RoleName::MemberOrg,
            Role::Initiative => RoleName::Initiative,
        }
    }
}

/// An account.
#[derive(Debug, Object)]
pub struct UserOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: RoleName,
    /// The volunteer's group.
    #[oai(nullable)]
    pub group_id: Option<Uuid>,
    /// The municipal contact's municipality.
    #[oai(nullable)]
    pub municipality_nis: Option<String>,
    /// The member organisation of a `member_org` account.
    #[oai(nullable)]
    pub member_org_id: Option<Uuid>,
    /// The initiative of an `initiative` account.
    #[oai(nullable)]
    pub initiative_id: Option<Uuid>,
    pub active: bool,
    /// Whether the account has a password; an account imported from a spreadsheet has none, and
    /// cannot sign in until staff set one (`PATCH /users/{id}`).
    pub password_set: bool,
    pub created_at: DateTime<Utc>,
}

impl From<StoredUser> for UserOut {
    fn from(u: StoredUser) -> Self {
        Self {
            id: u.id.as_uuid(),
            email: u.email,
            name: u.name,
            role: u.membership.role().into(),
            group_id: u.membership.group().map(|g| g.as_uuid()),
            municipality_nis: u.membership.municipality().map(|m| m.to_string()),
            member_org_id: u.membership.member_org().map(|o| o.as_uuid()),
            initiative_id: u.membership.initiative().map(|i| i.as_uuid()),
            active: u.active,
            password_set: !u.password_hash.is_empty(),
            created_at: u.created_at,
        }
    }
}

/// A new account. Volunteers need `group_id`, municipal contacts `municipality_nis`,
/// `member_org` accounts `member_org_id`, `initiative` accounts `initiative_id`; staff none of them.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[oai(validator(max_length = 254))]
    pub email: String,
    #[oai(validator(max_length = 200))]
    pub name: String,
    /// At least 12 characters.
    #[oai(validator(max_length = 1024))]
    pub password: String,
    pub role: RoleName,
    pub group_id: Option<Uuid>,
    #[oai(validator(max_length = 5))]
    pub municipality_nis: Option<String>,
    pub member_org_id: Option<Uuid>,
    pub initiative_id: Option<Uuid>,
}

/// Rename, (de)activate or set the password of an account. A deactivated account's tokens stop
/// working at once; a new password signs the account out everywhere (its refresh tokens end).
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[oai(validator(max_length = 200))]
    pub name: Option<String>,
    pub active: Option<bool>,
    /// A new password, at least 12 characters: for an imported account, or one whose owner
    /// forgot theirs (hand it over in person, not by e-mail).
    #[oai(validator(max_length = 1024))]
    pub password: Option<String>,
}

/// One page of accounts.
#[derive(Debug, Object)]
pub struct UserPage {
    pub items: Vec<UserOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum UserCreated {
    /// The account is created.
    #[oai(status = 201)]
    Created(Json<UserOut>, #[oai(header = "Location")] String),
}

pub struct UsersApi {
    pub users: UserRepo,
    /// Accounts and groups as requests need them, kept until they change.
    pub directory: campaign_persistence::directory::Directory,
    pub municipalities: MunicipalityRepo,
    pub auth: Arc<AuthState>,
}

fn staff_only(actor: &BearerAuth, action: Action) -> Result<(), ApiError> {
    let _grant = allow(
        &actor.0,
        action,
        Scope::Administration,
        String::new,
        "only staff manage accounts",
    )?;
    Ok(())
}

#[OpenApi(tag = "ApiTags::Users")]
impl UsersApi {
    /// Who am I
    ///
    /// The signed-in account, with its role and scope.
    #[oai(path = "/me", method = "get", operation_id = "get_me")]
    async fn me(&self, auth: BearerAuth) -> Result<Json<UserOut>, ApiError> {
        let user = self
            .users
            .get(auth.0.user_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
        Ok(Json(user.into()))
    }

    /// Create an account
    #[oai(path = "/users", method = "post", operation_id = "create_user")]
    async fn create_user(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<CreateUserRequest>,
    ) -> Result<UserCreated, ApiError> {
        staff_only(&auth, Action::Write)?;
        let body = body.0;
        let email = Email::parse(&body.email);
        let name = PersonName::parse(&body.name);
        let password = NewPassword::parse(&body.password);
        let municipality = body
            .municipality_nis
            .as_deref()
            .map(|m| NisCode::parse_field("municipality_nis", m))
            .transpose();
        let mut errors = Vec::new();
        for e in [
            email.as_ref().err(),
            name.as_ref().err(),
            password.as_ref().err(),
            municipality.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            errors.extend(e.errors.iter().cloned());
        }
        let membership = match &municipality {
            Ok(m) => Membership::new(
                body.role.into(),
                ScopeFields {
                    group: body.group_id.map(GroupId::from_uuid),
                    municipality: *m,
                    member_org: body.member_org_id.map(MemberOrgId::from_uuid),
                    initiative: body.initiative_id.map(InitiativeId::from_uuid),
                },
            )
            .map_err(|e| errors.extend(e.errors))
            .ok(),
            Err(_) => None,
        };
        let (Ok(email), Ok(name), Ok(password), Some(membership)) = (email, name, password, membership) else {
            return Err(ApiError::validation(campaign_domain::ValidationError { errors }));
        };
        if let Some(nis) = membership.municipality()
            && self.municipalities.get(nis).await?.is_none()
        {
            return Err(ApiError::unprocessable(format!(
                "municipality_nis {nis} is not a municipality of Flanders or Brussels"
            )));
        }
        let password_hash = self
            .auth
            .passwords
            .hash(password.expose().to_owned())
            .await
            .map_err(|e| ApiError::from_anyhow(&e))?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let user = self
            .users
            .create(
                NewUser {
                    email,
                    name,
                    membership,
                    password_hash,
                },
                &ctx,
            )
            .await?;
        let location = format!("/api/v1/users/{}", user.id);
        Ok(UserCreated::Created(Json(user.into()), location))
    }

    /// List accounts
    #[oai(path = "/users", method = "get", operation_id = "list_users")]
    async fn list_users(
        &self,
        auth: BearerAuth,
        /// Only accounts with this role.
        role: Query<Option<RoleName>>,
        /// Items per page, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 400))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<UserPage>, ApiError> {
        staff_only(&auth, Action::Read)?;
        let limit = PageLimit::parse(limit.0)?;
        let after_email = cursor
            .0
            .as_deref()
            .map(|c| pagination::decode(CURSOR_LIST, c))
            .transpose()?;
        let filter = UserFilter {
            role: role.0.map(Into::into),
            after_email,
        };
        let mut rows = self.users.list(&filter, limit.get() + 1).await?;
        let next_cursor = pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |u| u.email.clone());
        Ok(Json(UserPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Get an account
    #[oai(path = "/users/:id", method = "get", operation_id = "get_user")]
    async fn get_user(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<UserOut>, ApiError> {
        staff_only(&auth, Action::Read)?;
        let user = self
            .users
            .get(UserId::from_uuid(id.0))
            .await?
            .ok_or_else(|| no_such_user(id.0))?;
        Ok(Json(user.into()))
    }

    /// Rename, (de)activate or set the password of an account
    #[oai(path = "/users/:id", method = "patch", operation_id = "update_user")]
    async fn update_user(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<UpdateUserRequest>,
    ) -> Result<Json<UserOut>, ApiError> {
        staff_only(&auth, Action::Write)?;
        let target = UserId::from_uuid(id.0);
        if body.name.is_none() && body.active.is_none() && body.password.is_none() {
            return Err(ApiError::bad_request(
                "nothing to change: give name, active, password or several of them",
            ));
        }
        if body.active == Some(false) && target == auth.0.user_id {
            return Err(ApiError::conflict(
                "you cannot deactivate your own account; ask another staff member",
            ));
        }
        let name = body.name.as_deref().map(PersonName::parse).transpose()?;
        let password_hash = match body.password.as_deref().map(NewPassword::parse).transpose()? {
            Some(password) => Some(
                self.auth
                    .passwords
                    .hash(password.expose().to_owned())
                    .await
                    .map_err(|e| ApiError::from_anyhow(&e))?,
            ),
            None => None,
        };
        let changes = UserChanges {
            name,
            active: body.active,
            password_hash,
        };
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let user = self
            .users
            .update(target, changes, &ctx)
            .await?
            .ok_or_else(|| no_such_user(id.0))?;
        // Its requests are checked against the change from the next one on.
        self.directory.invalidate();
        Ok(Json(user.into()))
    }
}

fn no_such_user(id: Uuid) -> ApiError {
    ApiError::not_found(format!("there is no account {id}"))
}
