import { type Rng, ranked, weighted } from "./random.js";

// Common surnames of a California service territory, most common first (a flattened curve gives the weights).
const SURNAMES = `Garcia Smith Hernandez Lopez Martinez Johnson Rodriguez Gonzalez Williams Nguyen Brown Perez Sanchez
Jones Ramirez Miller Davis Lee Torres Flores Kim Rivera Wilson Anderson Gomez Diaz Tran Reyes Cruz Taylor Morales
Chen Thomas Moore Jackson Martin Ortiz Gutierrez Chavez White Ramos Thompson Harris Ruiz Alvarez Wang Clark Lewis
Mendoza Castillo Robinson Walker Jimenez Vasquez Young Romero Allen Herrera Wong King Medina Wright Aguilar Le Scott
Hill Vargas Green Patel Adams Baker Guzman Salazar Nelson Castro Carter Pham Mitchell Munoz Roberts Delgado Turner
Phillips Contreras Campbell Soto Parker Estrada Evans Edwards Collins Nunez Stewart Morris Li Murphy Cook Rogers
Morgan Guerrero Cooper Peterson Lim Bailey Reed Kelly Howard Zhang Cox Ward Liu Richardson Watson Brooks Wood
James Bennett Gray Hughes Price Sanders Singh Myers Long Ross Foster Luna Powell Jenkins Perry Russell Sullivan
Bell Coleman Butler Henderson Barnes Fisher Rios Simmons Graham Marshall Owens Harrison Gibson Wallace Ellis
Hamilton Reynolds Griffin Wells West Cole Hayes Bryant Murray Ford Stone Warren Hunt Black Palmer Holmes Rice
Knight Ferguson Rose Dunn Mason Hudson Grant Olson Burns Spencer Hawkins Armstrong Austin Fox Lane Riley Carpenter
Weaver Greene Lawrence Elliott Harper Berry Fields Wagner Webb Tucker Porter Hunter Hicks Crawford Henry Boyd
Kennedy Dixon Burke Gordon Shaw Holland Schmidt Meyer Fuller Schultz Huang Yang Wu Lin Chang Park Choi Kang Yoon
Shah Kumar Sharma Gupta Khan Ali Ahmed Hussain Cohen Levy Friedman Kaplan OBrien Kelley Walsh Ryan Doyle Quinn
Murillo Cervantes Ibarra Navarro Pacheco Sandoval Valdez Zamora Fuentes Cardenas Espinoza Maldonado Rojas Serrano
Velasquez Acosta Figueroa Lucero Trujillo Barajas Villanueva Santos Mejia Campos Cortez Molina Orozco Padilla
Dominguez Vega Carrillo Leon Suarez Juarez Avila Bautista Santiago Ponce Tapia Solis Arellano Escobar Bravo
Okafor Mensah Haile Tesfaye Nakamura Tanaka Yamamoto Watanabe Suzuki Sato Ito Kobayashi Takahashi Hayashi
Fernandes Silva Costa Pereira Oliveira Souza Rossi Russo Bianchi Romano Ricci Marino Greco Novak Kowalski
Nowak Ivanov Petrov Popov Jensen Hansen Larsen Nielsen Johansson Lindqvist Berg Dahl Schneider Fischer Weber
Becker Hoffmann Schafer Koch Richter Klein Wolf Neumann Schwarz Zimmerman Braun Kruger Hartmann Lange Werner
Dubois Moreau Laurent Simon Michel Lefebvre Leroy Roux Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau
MacDonald Campbell Stewart Robertson Thomson Murray Sinclair Fraser Ferreira Duarte Medeiros Avalos Galvan
Quintero Zuniga Arroyo Villalobos Cisneros Robles Barrera Magana Mora Aguirre Rocha Salinas Esparza Lara`
  .split(/\s+/)
  .filter((n, i, all) => all.indexOf(n) === i)
  .map((n) => (n === "OBrien" ? "O'Brien" : n));

const MALE = `James Jose Michael Robert David John Daniel Juan Christopher William Carlos Luis Richard Joseph Anthony
Thomas Kevin Jesus Brian Mark Steven Eric Jason Matthew Miguel Francisco Charles Andrew Paul Ryan Jorge Antonio
Manuel Ricardo Kenneth Gary Timothy Jeffrey Scott Alejandro Edward Ronald Joshua Donald Roberto Fernando Raymond
Eduardo Steve Sergio Mario Peter Adam Victor Javier Gregory Frank Patrick Rafael Ruben Benjamin Nicholas Jonathan
Samuel Raul Hector Oscar Arturo Alberto Enrique Pedro Ernesto Armando Alfredo Gerardo Ivan Omar Cesar Angel
Minh Duc Hung Tuan Wei Jun Hao Ming Raj Arjun Vikram Sanjay Hiroshi Kenji Takeshi Min Jae Sung Ahmed Omar Ali
Tyler Brandon Justin Aaron Nathan Kyle Zachary Dylan Ethan Noah Liam Mason Logan Caleb Isaac Gabriel Elijah`
  .split(/\s+/)
  .filter((n, i, all) => all.indexOf(n) === i);

const FEMALE =
  `Maria Mary Jennifer Patricia Linda Elizabeth Susan Lisa Barbara Karen Nancy Sandra Michelle Laura Jessica
Sarah Kimberly Ana Margaret Rosa Angela Guadalupe Melissa Stephanie Amanda Carmen Veronica Elena Martha Patricia
Cynthia Deborah Rebecca Sharon Laura Donna Carol Ruth Helen Andrea Emily Monica Gloria Teresa Claudia Alicia
Leticia Adriana Yolanda Silvia Diana Irene Lucia Sofia Isabel Gabriela Alejandra Lorena Norma Sandra Julie Amy
Christine Heather Nicole Rachel Samantha Ashley Megan Lauren Hannah Olivia Emma Ava Mia Isabella Chloe Grace
Linh Lan Mai Thuy Hoa Mei Xiu Ying Li Priya Anjali Deepa Neha Yuki Keiko Aiko Ji Eun Soo Fatima Aisha Leila
Victoria Katherine Catherine Anna Joanna Dolores Beatriz Esperanza Marisol Rocio Araceli Brenda Tiffany Crystal`
    .split(/\s+/)
    .filter((n, i, all) => all.indexOf(n) === i);

// The long tail. A real population's surnames follow a flattened power law: in the 2010 US census the 1,000 commonest
// names cover about 40% of people and over 150,000 names have at least 100 holders. Surnames are drawn by rank r
// with weight 1 / (r + FLATTEN) over TAIL_RANKS ranks: the first ranks are the common names above, every later rank
// a synthetic name of its own, so at a million accounts most surnames are held by a handful of customers, a few by
// thousands, as in a real service territory.
const FLATTEN = 10;
const TAIL_RANKS = 250_000;
const LOG_SPAN = Math.log((TAIL_RANKS + FLATTEN) / (1 + FLATTEN));

const ONSETS =
  `B Br C Ch Cr D Dr F Fl G Gr H J K Kr L M N P Pr R S Sh St T Tr V W Y Z Bl Gl Kl Pl Sl Sk Sp Th Wh Qu`.split(/\s+/);
const VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "y"];
const MIDDLES = `b d g k l m n p r s t v z ll nn rr st nd rk lv rt ld mb nt`.split(/\s+/);
const VOWELS_2 = ["a", "e", "i", "o", "u", "a", "e", "o"];
const ENDINGS = `son sen ley ly ton ford berg man er ez es ini ino elli ski ova ov ard ick ett ing well wood by land
ner ker ler ster field stein holm quist dale more worth ham mont eau ot ak ic ich en in on`.split(/\s+/);
const RADICES = [ONSETS.length, VOWELS.length, MIDDLES.length, VOWELS_2.length, ENDINGS.length];
const COMBINATIONS = RADICES.reduce((a, b) => a * b, 1);
// A multiplier coprime with COMBINATIONS scatters neighbouring ranks over unrelated spellings.
const SCATTER = 1_000_003;

/** The synthetic surname of a tail rank: one spelling per rank, pronounceable, from mixed-radix parts. */
export function tailSurname(rank: number): string {
  let k = Number((BigInt(rank) * BigInt(SCATTER)) % BigInt(COMBINATIONS));
  const part = (list: readonly string[]) => {
    const v = list[k % list.length]!;
    k = Math.floor(k / list.length);
    return v;
  };
  const name = part(ONSETS) + part(VOWELS) + part(MIDDLES) + part(VOWELS_2) + part(ENDINGS);
  // Joined parts may pile up letters (Sell + ley): no name has the same letter three times running.
  return name.replace(/(.)\1\1/g, "$1$1");
}

/** A surname drawn from the whole curve: common names often, the long tail of rarer names the rest of the time. */
export function surname(rng: Rng): string {
  const rank = Math.min(TAIL_RANKS, Math.max(1, Math.floor((1 + FLATTEN) * Math.exp(rng.next() * LOG_SPAN) - FLATTEN)));
  return rank <= SURNAMES.length ? SURNAMES[rank - 1]! : tailSurname(rank);
}

const MALE_TABLE = ranked(MALE, 8);
const FEMALE_TABLE = ranked(FEMALE, 8);

/** A given name of either sex. */
export function givenName(rng: Rng, female = rng.chance(0.5)): string {
  return rng.pickWeighted(female ? FEMALE_TABLE : MALE_TABLE);
}

const INITIALS = "ABCDEFGHJKLMNPRSTW";
export const middleInitial = (rng: Rng) => (rng.chance(0.3) ? rng.pick([...INITIALS]) : null);

const TRADES =
  `Plumbing|Dental Group|Auto Repair|Bakery|Market|Hardware|Cleaners|Insurance Agency|Construction|Landscaping|
Electric|Veterinary Clinic|Family Restaurant|Taqueria|Nail Salon|Pharmacy|Self Storage|Printing|Realty|Fitness|Cafe|
Liquor|Tire Center|Pizza|Laundromat|Barber Shop|Florist|Optometry|Chiropractic|Accounting|Law Office|Pet Grooming|
Car Wash|Motel|Coffee Roasters|Brewing|Heating and Air|Roofing|Glass|Appliance Repair`
    .split("|")
    .map((s) => s.trim());
const PLACES = `Golden State|Pacific|Sierra|Bay Area|Valley|Coast|Mission|Sunset|Redwood|Oak Hill|Delta|Central|
Capitol|Harbor|Orchard|Summit|Lakeside|Foothill|El Camino|Vista|Cypress|Sequoia|Poppy|Mariposa|Sunrise`
  .split("|")
  .map((s) => s.trim());
const SUFFIXES = weighted([
  ["", 4],
  ["Inc", 2],
  ["LLC", 3],
  ["Co", 1],
  ["& Sons", 0.5],
  ["Corp", 0.5],
] as const);
const AG = ["Farms", "Orchards", "Ranch", "Vineyards", "Dairy", "Nursery", "Growers"];
const INDUSTRY = ["Manufacturing", "Precision Metals", "Packaging", "Cold Storage", "Plastics", "Foods", "Fabrication"];

/** A business name fitting the customer class. */
export function businessName(rng: Rng, customerClass: string, city: string): string {
  const suffix = rng.pickWeighted(SUFFIXES);
  const withSuffix = (s: string) => (suffix ? `${s} ${suffix}` : s);
  switch (customerClass) {
    case "street_lighting":
      return rng.chance(0.7) ? `City of ${city}` : `${city} Lighting District`;
    case "agricultural":
      return withSuffix(`${rng.chance(0.6) ? surname(rng) : rng.pick(PLACES)} ${rng.pick(AG)}`);
    case "industrial":
      return withSuffix(`${rng.chance(0.5) ? rng.pick(PLACES) : surname(rng)} ${rng.pick(INDUSTRY)}`);
    default: {
      const first = rng.chance(0.55) ? surname(rng) : rng.chance(0.5) ? rng.pick(PLACES) : city;
      return withSuffix(`${first} ${rng.pick(TRADES)}`);
    }
  }
}

export const nameCounts = {
  surnames: SURNAMES.length,
  tailRanks: TAIL_RANKS,
  male: MALE.length,
  female: FEMALE.length,
};
