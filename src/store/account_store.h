// The yearly account role of the store: activities, media appearances and finances. Used by
// the account capability.
#pragma once

#include <vector>

#include "core/domain.h"
#include "store/meta_store.h"

namespace rapporteur::store {

class AccountStore : public virtual MetaStore {
 public:
  // Activities and media appearances are keyed by their natural key (date, kind,
  // organisation, title) and (date, outlet, topic): putting one again updates its other
  // fields, so a re-import never duplicates. kInvalidArgument for an empty key field or a
  // date that is not YYYY-MM-DD.
  virtual Result<void> put_activity(const Activity& activity) = 0;
  // Those dated in `year`, in date order (then in the order they were first put).
  virtual Result<std::vector<Activity>> activities(int year) = 0;
  virtual Result<void> put_media_appearance(const MediaAppearance& appearance) = 0;
  virtual Result<std::vector<MediaAppearance>> media_appearances(int year) = 0;
  // Remove the entry with the natural key of `key` (its other fields are ignored); kNotFound
  // when there is none.
  virtual Result<void> remove_activity(const Activity& key) = 0;
  virtual Result<void> remove_media_appearance(const MediaAppearance& key) = 0;
  // Replaces the finances of `finances.year` with their lines, in one transaction;
  // kInvalidArgument for a year outside 1990..2100.
  virtual Result<void> put_finances(const Finances& finances) = 0;
  // kNotFound when the year has no finances; lines in the order they were put.
  virtual Result<Finances> finances(int year) = 0;
  // The years with an activity, a media appearance or finances, newest first.
  virtual Result<std::vector<int>> account_years() = 0;
};

}  // namespace rapporteur::store
