import { type Rng, weighted } from "./random.js";

/** A city of the synthetic service territory: its ZIP range, baseline territory, climate zone and phone area codes. */
export interface City {
  name: string;
  county: string;
  zip: number;
  zips: number;
  territory: string;
  climateZone: number;
  areaCodes: string[];
  weight: number;
}

// name | county | first ZIP | how many ZIPs | baseline territory | climate zone | area codes | relative size
const CITY_ROWS = `San Jose|Santa Clara|95110|30|X|4|408 669|60
San Francisco|San Francisco|94102|30|T|3|415 628|55
Oakland|Alameda|94601|20|T|3|510 341|35
Fresno|Fresno|93701|25|R|13|559|35
Sacramento|Sacramento|95811|30|S|12|916 279|40
Bakersfield|Kern|93301|14|W|13|661|25
Stockton|San Joaquin|95202|18|S|12|209|22
Modesto|Stanislaus|95350|8|S|12|209|18
Santa Rosa|Sonoma|95401|8|X|2|707|15
Fremont|Alameda|94536|4|X|3|510|15
Concord|Contra Costa|94518|4|X|12|925|11
Walnut Creek|Contra Costa|94595|4|X|12|925|7
Berkeley|Alameda|94702|8|T|3|510|10
Salinas|Monterey|93901|6|X|3|831|11
Monterey|Monterey|93940|3|T|3|831|4
Santa Cruz|Santa Cruz|95060|6|T|3|831|6
San Luis Obispo|San Luis Obispo|93401|5|X|5|805|5
Paso Robles|San Luis Obispo|93446|1|W|4|805|3
Visalia|Tulare|93277|6|R|13|559|11
Merced|Merced|95340|8|R|12|209|7
Chico|Butte|95926|4|R|11|530|8
Oroville|Butte|95965|3|P|11|530|3
Paradise|Butte|95969|1|P|11|530|2
Redding|Shasta|96001|3|R|11|530|7
Eureka|Humboldt|95501|3|V|1|707|3
Arcata|Humboldt|95521|1|V|1|707|2
Ukiah|Mendocino|95482|1|V|2|707|2
Napa|Napa|94558|2|X|2|707|6
Half Moon Bay|San Mateo|94019|1|T|3|650|2
San Mateo|San Mateo|94401|3|T|3|650|8
Palo Alto|Santa Clara|94301|4|X|3|650|5
Hollister|San Benito|95023|2|X|4|831|3
Auburn|Placer|95602|3|S|11|530|3
Grass Valley|Nevada|95945|2|Y|11|530|2
Placerville|El Dorado|95667|1|Y|12|530|2
Sonora|Tuolumne|95370|1|Y|12|209|2
Mariposa|Mariposa|95338|1|Y|12|209|1
Truckee|Nevada|96161|1|Z|16|530|2
South Lake Tahoe|El Dorado|96150|2|Z|16|530|2
Quincy|Plumas|95971|1|Z|16|530|1
Los Banos|Merced|93635|1|Q|12|209|2
Coalinga|Fresno|93210|1|Q|13|559|1
Lemoore|Kings|93245|1|Q|13|559|2
Hanford|Kings|93230|2|R|13|559|4`;

export const CITIES: City[] = CITY_ROWS.split("\n").map((line) => {
  const [name, county, zip, zips, territory, zone, codes, weight] = line.split("|");
  return {
    name: name!,
    county: county!,
    zip: Number(zip),
    zips: Number(zips),
    territory: territory!,
    climateZone: Number(zone),
    areaCodes: codes!.split(" "),
    weight: Number(weight),
  };
});

const CITY_TABLE = weighted(CITIES.map((c) => [c, c.weight] as const));

export const pickCity = (rng: Rng) => rng.pickWeighted(CITY_TABLE);

const STREETS = `Main Oak Maple Pine Cedar Elm Walnut Willow Sycamore Magnolia Mission Park Lake Hill Sunset Valley View
Washington Lincoln Jefferson Madison Adams Jackson Franklin Grant Monroe Church School Mill Spring River Railroad
Broadway Center Market Union Orchard Vine Almond Olive Peach Cherry Apricot Poplar Redwood Sequoia Cypress Laurel
Acacia Juniper Aspen Birch Hawthorn Chestnut Hickory Alder Palm Mariposa Alameda Camino Real Santa Clara San Carlos
Los Gatos Monterey Stockton Shasta Sierra Tahoe Yosemite Kings Tulare Kern Delta Harbor Bay Ocean Beach Shoreline
Meadow Ridge Canyon Vista Highland Hillcrest Fairview Glenwood Brookside Greenwood Woodland Parkside Riverside
Lakeview Crestview Mountain Foothill Country Club College University Stanford Berkeley Hamilton Jones Kennedy
Roosevelt King Chavez Alvarado Portola Serra Anza Fremont Sutter Marshall Bidwell Vallejo Castro Pacheco Estudillo
Peralta Sepulveda Figueroa Dolores Guadalupe Almaden Bascom Winchester Saratoga Blossom Hill Capitol Story Tully`
  .split(/\s+/)
  .filter((n, i, all) => all.indexOf(n) === i);
const STREET_TYPES = weighted([
  ["St", 30],
  ["Ave", 25],
  ["Dr", 15],
  ["Way", 8],
  ["Ct", 6],
  ["Ln", 6],
  ["Rd", 6],
  ["Blvd", 3],
  ["Pl", 3],
  ["Cir", 2],
] as const);

/** A street address line 1, e.g. "1423 Maple Ave". */
export function streetLine(rng: Rng): string {
  // House numbers: mostly 3-4 digits, some short and some long, as real ones are.
  const r = rng.next();
  const number =
    r < 0.08 ? rng.int(1, 99) : r < 0.5 ? rng.int(100, 999) : r < 0.93 ? rng.int(1000, 9999) : rng.int(10000, 25999);
  const direction = rng.chance(0.08) ? `${rng.pick(["N", "S", "E", "W"])} ` : "";
  return `${number} ${direction}${rng.pick(STREETS)} ${rng.pickWeighted(STREET_TYPES)}`;
}

/** A unit designator for apartments, or null. */
export function unitLine(rng: Rng, apartmentShare: number): string | null {
  if (!rng.chance(apartmentShare)) return null;
  return rng.chance(0.7)
    ? `Apt ${rng.int(1, 40)}${rng.chance(0.3) ? rng.pick(["A", "B", "C", "D"]) : ""}`
    : `Unit ${rng.int(100, 450)}`;
}

export const zipOf = (rng: Rng, city: City) => String(city.zip + rng.int(0, city.zips - 1)).padStart(5, "0");

/** Where a premise's taxes go: the city, or the county where it is unincorporated. */
export const taxJurisdiction = (rng: Rng, city: City) =>
  rng.chance(0.85) ? `City of ${city.name}` : `${city.county} County (unincorporated)`;

/** An E.164 number in one of the city's area codes. */
export function phoneNumber(rng: Rng, city: City): string {
  return `+1${rng.pick(city.areaCodes)}${rng.int(200, 989)}${rng.digits(4)}`;
}
