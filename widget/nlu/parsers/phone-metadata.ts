import type { MetadataJson } from 'libphonenumber-js/core';

/**
 * libphonenumber's metadata for some regions only: the countries sharing
 * their calling codes, so "+44" numbers are read for a `GB` flow. In the
 * browser build, `test/bundle/build.ts` replaces `loadAllPhoneMetadata`'s
 * import with one chunk per calling code, so a page downloads only the
 * regions its flow declares.
 */
export function subsetPhoneMetadata(all: MetadataJson, regions: readonly string[]): MetadataJson {
  const wanted = new Set(regions.map((region) => region.toUpperCase()));
  const callingCodes: MetadataJson['country_calling_codes'] = {};
  const countries: MetadataJson['countries'] = {};
  for (const [code, members] of Object.entries(all.country_calling_codes)) {
    if (!members.some((member) => wanted.has(member))) continue;
    callingCodes[code] = members;
    for (const member of members) {
      const country = all.countries[member];
      if (country !== undefined) countries[member] = country;
    }
  }
  return { ...all, country_calling_codes: callingCodes, countries, nonGeographic: {} } as MetadataJson;
}

/** The metadata of `regions`, or of every region when none is given. */
export async function loadPhoneMetadata(regions?: readonly string[]): Promise<MetadataJson> {
  const { default: all } = await import('libphonenumber-js/metadata.min.json');
  return regions === undefined || regions.length === 0 ? (all as MetadataJson) : subsetPhoneMetadata(all as MetadataJson, regions);
}
