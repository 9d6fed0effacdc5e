#pragma once

// Rules that involve more than one key: cross-field constraints, references between
// sections, duplicates, type-specific required keys and secrets written inline.

#include "reader.h"

namespace steer::config {

// Canonical spellings: trailing dots on DNS names, provider endpoints by type.
void Normalize(Reader& r, Policy& policy);

// Reports every violated rule to `r`.
void Validate(Reader& r, const Policy& policy);

// Reports a probe's cross-field errors (timeout below interval, keys its type needs, ...).
void CheckProbe(Reader& r, const ProbeConfig& p, const std::string& path);

// Adds each answer's own probe to its region as a component named AddressComponentName()
// (critical: false); reports a clash with another service's probe of the same address.
void ExpandAddressProbes(Reader& r, Policy& policy);

// Reports headers such as Authorization whose value is not an env:/file: reference.
void CheckSecretHeaders(Reader& r, const std::map<std::string, std::string>& headers,
                        const std::string& path);

}  // namespace steer::config
