//! (journeys follow)
