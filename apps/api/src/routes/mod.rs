//! The HTTP routes, one module per area; each route's path sits on its handler. Registration
//! order matters where a literal segment and a `{key}` share a prefix: actix takes the first
//! match, so `/v1/shows/trending` is registered before `/v1/shows/{key}`.

use actix_web::web;

pub mod artists;
pub mod events;
pub mod fallback;
pub mod fans;
pub mod health;
pub mod leaderboards;
pub mod live;
pub mod me;
pub mod predictions;
pub mod search;
pub mod setlists;
pub mod shows;
pub mod stats;
pub mod venues;
pub mod votes;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::health)
        .service(health::ready)
        .service(artists::list)
        .service(artists::shows)
        .service(artists::songs)
        .service(leaderboards::artist)
        .service(stats::artist_songs)
        .service(stats::average_setlist)
        .service(artists::find)
        .service(stats::song)
        .service(leaderboards::period)
        .service(fans::profile)
        .service(fans::predictions)
        .service(venues::nearby)
        .service(venues::find)
        .service(shows::trending)
        .service(shows::nearby)
        .service(shows::my_votes)
        .service(events::show_events)
        .service(predictions::mine)
        .service(predictions::of_show)
        .service(predictions::create)
        .service(leaderboards::show)
        .service(live::played)
        .service(shows::details)
        .service(shows::update)
        .service(search::search)
        .service(fans::my_predictions)
        .service(me::get)
        .service(me::update)
        .service(me::put_profile)
        .service(me::export)
        .service(me::delete_account)
        .service(votes::cast)
        .service(votes::retract)
        .service(events::song_events)
        .service(setlists::add_song)
        .service(setlists::remove_song)
        .service(predictions::order)
        .service(predictions::remove)
        .service(setlists::lock)
        .service(setlists::unlock)
        .service(setlists::update_song)
        .service(crate::openapi::openapi_json)
        .service(crate::metrics::metrics);
}
