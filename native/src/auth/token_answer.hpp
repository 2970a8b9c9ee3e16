// What Entra ID's answer to a token request becomes, for every credential that asks Entra (workload
// identity federation, client secret, certificate). Pure apart from `register_secret`.
//
// Contract:
// - A token is registered with `register_secret` the moment it is taken out of the answer (the agent
//   masks it before anything else is written), then returned.
// - Every Error has every occurrence of `sent` (what the request carried: the OIDC token, the client
//   secret, the client assertion) replaced by "***", whatever Entra echoed.
// - A rejection is explained for `context` (auth/messages.hpp: cause and fix per AADSTS code) and carries
//   Entra's correlation ids; a transport failure or a malformed success stays the Error that
//   read_entra_response made of it.
// Callers that retry on a particular rejection (federation, AADSTS700024) check it before calling.
#pragma once

#include <initializer_list>
#include <string_view>

#include "auth/entra.hpp"
#include "auth/federated_credential.hpp"
#include "auth/messages.hpp"
#include "core/expected.hpp"

namespace fkv::auth {

Expected<AccessToken> token_from_answer(EntraResult answer, const ExchangeContext& context,
                                        std::initializer_list<std::string_view> sent,
                                        const SecretSink& register_secret);

}  // namespace fkv::auth
