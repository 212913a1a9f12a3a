// The publications role of the store: the knowledge base's publications and the
// recommendations in them with their follow-up. Used by kb, the public site and the account.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "store/meta_store.h"

namespace rapporteur::store {

class PublicationStore : public virtual MetaStore {
 public:
  // Inserts or updates a publication by its slug (every field, the body included).
  // kInvalidArgument without a slug or title, or for a language other than nl and en.
  virtual Result<void> put_publication(const Publication& publication) = 0;
  // All publications, newest first (then by slug), with their bodies.
  virtual Result<std::vector<Publication>> publications() = 0;
  // The same without the bodies (left empty): for lists, which must not read every full text.
  virtual Result<std::vector<Publication>> publication_list() = 0;
  // Fails with kNotFound for an unknown slug.
  virtual Result<Publication> publication(const std::string& slug) = 0;
  // The slug of the publication ingested from a file with this hash, if any.
  virtual Result<std::optional<std::string>> publication_from_source(const std::string& source_sha256) = 0;
  // Inserts or updates a recommendation by (publication, number); kNotFound for an unknown
  // publication. A non-empty `history` replaces the stored follow-up; an empty one keeps it.
  virtual Result<void> put_recommendation(const Recommendation& recommendation) = 0;
  // Appends a follow-up event; an event with a status also sets the current status.
  // kNotFound for an unknown recommendation.
  virtual Result<void> add_recommendation_event(const std::string& publication_slug, int number,
                                                const Recommendation::Event& event) = 0;
  // All recommendations ordered by year, publication and number, with their history (by date).
  virtual Result<std::vector<Recommendation>> recommendations() = 0;
};

}  // namespace rapporteur::store
