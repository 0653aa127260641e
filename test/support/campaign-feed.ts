/**
 * A seeded synthetic surveillance feed: captured robocalls of 20 campaigns and unrelated noise,
 * shaped like what a honeypot records. Campaigns rotate calling numbers through a few thousand-
 * blocks (some spoof the called party's own exchange instead), read paraphrased scripts that
 * share boilerplate with each other, lose part of their transcript (cut short, misheard, or not
 * transcribed at all), are signed by the carriers that originate them (a few of which carry many
 * campaigns and the noise), and a few are traced to the customer behind them. The truth labels
 * are returned beside the calls; the clustering never sees them.
 */
import type { CampaignCall } from "../../functions/domain/campaigns/call.js";
import { seededRandom } from "./rmd-export.js";

export interface FeedCall extends CampaignCall {
  /** The campaign the call belongs to; undefined for noise. Truth for scoring only. */
  truth?: string;
}

export interface FeedOptions {
  seed?: number;
  campaigns?: number;
  calls?: number;
  /** Share of the calls that belong to no campaign. */
  noiseShare?: number;
}

/** One script per campaign: sentences, each with paraphrases. */
const SCRIPTS: string[][][] = [
  [
    [
      "this is an important message about your vehicle's extended warranty",
      "we are calling about the factory warranty on your car",
      "this call concerns the extended service contract on your vehicle",
    ],
    [
      "our records show your coverage is about to expire",
      "according to our files your warranty will lapse soon",
      "your vehicle protection plan is set to run out",
    ],
    [
      "this is your final courtesy notice before we close the file",
      "we have not heard back from you and this is the last notice",
      "consider this your final reminder before the file is closed",
    ],
    ["press one now to speak with a warranty specialist", "press one to talk to a specialist about reinstating coverage"],
  ],
  [
    [
      "this is officer daniel brooks from the internal revenue service",
      "this message is from the tax enforcement division of the irs",
      "i am calling from the treasury department tax fraud unit",
    ],
    [
      "a lawsuit has been filed against you for unpaid back taxes",
      "there is an arrest warrant under your name for tax evasion",
      "legal proceedings have started against you over unpaid taxes",
    ],
    [
      "local police will be sent to your address if you ignore this call",
      "if you do not respond the sheriff will come to your home",
      "officers will be dispatched to your residence within the hour",
    ],
    ["call us back immediately at the number provided to settle the case", "return this call right away to resolve the matter before court"],
  ],
  [
    ["this call is from the social security administration", "we are reaching you on behalf of the social security office"],
    [
      "your social security number has been suspended due to suspicious activity",
      "we found fraudulent activity linked to your social security number",
      "your ssn was used in criminal activity in texas",
    ],
    ["to avoid losing your benefits you must verify your identity today", "your benefits will be frozen unless you confirm your details now"],
    ["press one to be connected to a case officer", "stay on the line to reach the investigating agent"],
  ],
  [
    [
      "this is the disconnection department of your electric company",
      "we are calling from your local power utility billing office",
      "this is a notice from the electric utility collections team",
    ],
    [
      "your service will be shut off within thirty minutes due to a past due balance",
      "a technician is scheduled to disconnect your power in half an hour",
      "your electricity will be cut today because of an unpaid bill",
    ],
    [
      "to keep your lights on make a payment with a prepaid card",
      "you can avoid the shutoff by paying now with a gift card",
      "pay the balance immediately to stop the disconnection",
    ],
  ],
  [
    [
      "this is amazon customer service calling about a recent order",
      "hello we are calling from the amazon fraud prevention team",
      "this message is about a purchase on your amazon account",
    ],
    [
      "an iphone fourteen for one thousand four hundred ninety nine dollars was ordered",
      "we noticed a charge of one thousand four hundred ninety nine dollars for an iphone",
      "a large order for an apple iphone was placed on your account",
    ],
    [
      "if you did not authorize this purchase press one to cancel it",
      "press one now if you did not make this order to get a refund",
      "to dispute this charge press one and speak to an agent",
    ],
  ],
  [
    [
      "this is the fraud department of your bank",
      "we are calling from your bank's card security center",
      "this is an automated alert from your bank's fraud team",
    ],
    [
      "your debit card has been locked after an attempted transfer",
      "we blocked a suspicious wire transfer from your checking account",
      "your account was frozen because of unusual card activity",
    ],
    ["to unlock your card please confirm your pin and card number", "verify the sixteen digit card number and security code to restore access"],
    ["press one to reach our security team", "press one to confirm your identity with a specialist"],
  ],
  [
    [
      "you qualify for a low cost health insurance plan this enrollment period",
      "great news you may be eligible for affordable health coverage",
      "open enrollment is here and you can get a zero premium health plan",
    ],
    [
      "plans start as low as zero dollars a month with full dental and vision",
      "coverage includes doctor visits prescriptions dental and vision",
      "many families are paying nothing for comprehensive medical coverage",
    ],
    ["press one to speak with a licensed benefits advisor", "press one now to check your eligibility with an advisor"],
  ],
  [
    [
      "this is an urgent notice about your federal student loans",
      "we are calling about the student loan forgiveness program",
      "this message concerns your student loan balance and new relief options",
    ],
    [
      "under the new program your balance may be forgiven completely",
      "you may qualify to have your loans discharged in full",
      "recent changes could wipe out your remaining student debt",
    ],
    ["the deadline to apply is this friday", "applications close at the end of this week so act now"],
    ["press one to speak with a loan counselor", "press one to start your forgiveness application"],
  ],
  [
    [
      "hello this is medicare benefits calling about your new card",
      "we are calling seniors about the new medicare benefits card",
      "this is a message for medicare recipients about your benefits",
    ],
    [
      "you are eligible for a free back brace at no cost to you",
      "medicare will cover a knee brace and a back brace for you",
      "you qualify for free braces and a diabetic testing kit",
    ],
    ["we just need to confirm your medicare number to ship it", "please have your medicare id ready so we can send it today"],
  ],
  [
    [
      "this is card services calling about the interest rate on your credit card",
      "we are reaching out about lowering your credit card interest",
      "this is the card member services department with a final offer",
    ],
    [
      "you qualify to reduce your rate to as low as one point nine percent",
      "your interest rate can be lowered to under two percent today",
      "we can cut your apr down to one point nine percent",
    ],
    ["this offer expires at the end of the business day", "this is your last chance before the offer ends tonight"],
    ["press one to speak with an account representative", "press one to lower your rate now"],
  ],
  [
    [
      "homeowners in your area can now get solar panels installed for free",
      "a new government program pays for solar panels on your home",
      "we are offering free solar installation to homeowners in your zip code",
    ],
    [
      "you will save up to sixty percent on your electric bill",
      "most families cut their power bill by more than half",
      "lock in lower energy costs and stop rising utility rates",
    ],
    ["press one to schedule a free roof evaluation", "press one now to see if your home qualifies"],
  ],
  [
    [
      "this is the microsoft windows technical support team",
      "we are calling from the apple security department",
      "this is an alert from your computer's security service",
    ],
    [
      "your computer has been infected with a dangerous virus",
      "we detected hackers accessing your device from overseas",
      "your ip address has been compromised and your files are at risk",
    ],
    ["do not turn off your computer", "please stay near your computer while we fix the problem"],
    ["press one to speak with a certified technician", "press one so a technician can remove the threat remotely"],
  ],
  [
    [
      "this is the delivery department calling about a package addressed to you",
      "we tried to deliver a parcel to your home today",
      "your shipment is on hold at our distribution center",
    ],
    [
      "the package could not be delivered because of an incomplete address",
      "delivery failed because customs fees are unpaid",
      "we need to confirm your address before the package can be released",
    ],
    ["press one to reschedule the delivery", "press one to pay the small redelivery fee and release the parcel"],
  ],
  [
    [
      "congratulations you have been selected as the winner of our grand prize drawing",
      "you are one of three finalists in our national sweepstakes",
      "this is a notification that you have won a cash prize",
    ],
    ["your prize includes a new car and two million five hundred thousand dollars", "you have won two and a half million dollars and a mercedes benz"],
    [
      "to claim your prize you must pay the processing fee and taxes",
      "a small insurance fee is required before we can release the winnings",
      "send the transfer fee today to receive your check",
    ],
  ],
  [
    [
      "this is a message about your outstanding debt",
      "we are calling regarding a past due account in your name",
      "this is the debt resolution center with important information",
    ],
    [
      "you may qualify to cut what you owe in half",
      "our program can reduce your unsecured debt by up to fifty percent",
      "settle your credit card debt for a fraction of the balance",
    ],
    ["this is a time sensitive matter", "please respond within twenty four hours"],
    ["press one to speak with a debt specialist", "press one to enroll in the relief program"],
  ],
  [
    [
      "hi this is jessica with an exclusive bitcoin investment opportunity",
      "hello i am calling about a cryptocurrency trading program",
      "this is a private invitation to our crypto investment club",
    ],
    [
      "our members are earning up to ten percent every single day",
      "our trading robot doubles your money in a week",
      "investors have turned five hundred dollars into fifty thousand",
    ],
    ["spots are limited so reserve yours now", "only a few places are left this month"],
    ["press one to speak with a senior account manager", "press one to open your trading account"],
  ],
  [
    [
      "we are calling on behalf of the state police benevolent fund",
      "this is the fraternal order of firefighters calling for our annual drive",
      "hello we are raising money for families of fallen officers",
    ],
    [
      "your donation last year helped so many families",
      "a pledge of just fifty dollars makes a real difference",
      "every dollar goes to widows and children of our heroes",
    ],
    ["can we count on your support again this year", "will you renew your pledge today"],
  ],
  [
    [
      "congratulations you have won a free four day cruise to the bahamas",
      "you have been selected for a complimentary vacation package",
      "this is about your free hotel stay in orlando",
    ],
    ["the trip includes round trip airfare and a five star resort", "you get two nights in las vegas and a cruise for two"],
    ["you only need to attend a short ninety minute presentation", "just pay the port taxes to confirm your booking"],
    ["press one to reserve your dates", "press one to speak with a travel coordinator"],
  ],
  [
    [
      "this is a reminder that your home warranty has expired",
      "we are calling about the protection plan for your home appliances",
      "our records show your home warranty needs to be renewed",
    ],
    ["without coverage you will pay full price for repairs to your furnace and water heater", "a broken air conditioner can cost thousands without a plan"],
    ["renew today and get the first month free", "call now to reactivate your coverage at the old rate"],
  ],
  [
    [
      "this is the department of homeland security immigration office",
      "we are calling from the us citizenship and immigration services",
      "this is an important notice about your immigration status",
    ],
    [
      "there is a problem with your visa application",
      "your green card file shows missing information",
      "your residency status is under review due to errors in your documents",
    ],
    ["you must pay a fine today to avoid deportation", "failure to respond will result in removal proceedings"],
    ["press one to speak with an immigration officer", "stay on the line for an officer"],
  ],
];

/** Phrases that many campaigns share, spliced in anywhere. */
const BOILERPLATE = [
  "to be removed from our list press nine",
  "this is not a sales call",
  "please listen carefully as our menu options have changed",
  "this call may be recorded for quality purposes",
  "if you have received this message in error please disregard it",
];

const SYNONYMS: Record<string, string[]> = {
  press: ["press", "hit", "dial", "push"],
  immediately: ["immediately", "right away", "right now"],
  now: ["now", "today", "right now"],
  speak: ["speak", "talk"],
  account: ["account", "file"],
  call: ["call", "phone"],
  your: ["your", "your", "the"],
  free: ["free", "free of charge", "at no cost"],
  notice: ["notice", "notification", "warning"],
};

const FILLERS = ["uh", "um", "okay", "so", "hello", "yes", "again"];

const NOISE_WORDS = (
  "appointment pharmacy prescription ready pickup school closed snow weather survey opinion candidate election vote community meeting library books overdue dentist cleaning " +
  "reminder tomorrow morning afternoon evening flight gate delayed boarding rental car return hotel reservation confirm cancel table restaurant order pizza delivered driver " +
  "doctor clinic results lab test negative positive insurance claim adjuster roof storm hail repair contractor plumber leak kitchen bathroom tile floor carpet cleaning " +
  "church service sunday choir practice volunteer soccer practice field coach parents game schedule tuesday thursday friday saturday recital piano teacher lesson " +
  "city water main break boil advisory trash pickup recycling holiday schedule park concert tickets season subscription magazine newspaper renewal charity thrift " +
  "grocery sale coupons members points reward balance gas station oil change tires rotation inspection registration license renewal court jury duty summons report " +
  "alarm system test battery low smoke detector neighbor dog lost found cat kitten adoption shelter veterinarian vaccine annual checkup hearing aid glasses eye exam"
).split(" ");

const CARRIERS = ["567J", "818H", "102K", "339A", "774B", "901C"];
const AREA_CODES = ["202", "213", "305", "312", "404", "415", "512", "602", "646", "713", "720", "808"];

interface CampaignPlan {
  id: string;
  script: string[][];
  blocks: string[];
  numbers: string[];
  neighborSpoofing: boolean;
  signer?: { spc: string; cert: string; origids: string[] };
  customer: string[];
  originatingProvider: string;
}

export function syntheticFeed(opts: FeedOptions = {}): FeedCall[] {
  const rnd = seededRandom(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join("");
  const exchange = () => `${int(2, 9)}${digits(2)}`;
  const campaignsCount = opts.campaigns ?? 20;
  const total = opts.calls ?? 2_000;
  const noise = Math.round(total * (opts.noiseShare ?? 0.15));

  const plans: CampaignPlan[] = Array.from({ length: campaignsCount }, (_, i) => {
    const blocks = Array.from({ length: int(1, 3) }, () => `${pick(AREA_CODES)}${exchange()}${int(0, 9)}`);
    const carrier = pick(CARRIERS);
    return {
      id: `campaign-${i + 1}`,
      script: SCRIPTS[i % SCRIPTS.length]!,
      blocks,
      numbers: Array.from({ length: int(5, 40) }, () => `+1${pick(blocks)}${digits(3)}`),
      neighborSpoofing: rnd() < 0.25,
      ...(rnd() < 0.7 && { signer: { spc: carrier, cert: `cert-${carrier}`, origids: Array.from({ length: int(1, 3) }, () => `origid-${digits(8)}`) } }),
      customer: customerSpellings(
        `${pick(["Apex", "Summit", "Blue River", "Northstar", "Pinnacle", "Lakeside", "Granite"])} ${pick(["Marketing", "Outreach", "Dialer", "Media", "Leads"])} ${i + 1}`,
      ),
      originatingProvider: `acc_origin_${int(1, 8)}`,
    };
  });

  const calls: FeedCall[] = [];
  const start = Date.parse("2025-09-01T13:00:00Z");
  for (let n = 0; n < total - noise; n++) {
    const plan = plans[n % campaignsCount]!;
    const called = `+1${pick(AREA_CODES)}${exchange()}${digits(4)}`;
    // Numbers rotate over the days of a campaign: a call uses one of the few active at its time.
    const slot = Math.floor((n / campaignsCount / 6) % plan.numbers.length);
    const calling = plan.neighborSpoofing ? `${called.slice(0, 8)}${digits(4)}` : plan.numbers[(slot + int(0, 2)) % plan.numbers.length]!;
    const signed = plan.signer && rnd() < 0.75;
    calls.push({
      id: `call-${String(n).padStart(5, "0")}`,
      truth: plan.id,
      callTime: new Date(start + n * 37_000 + int(0, 30_000)).toISOString(),
      callingNumber: calling,
      calledNumber: called,
      ...(rnd() >= 0.08 && { transcript: paraphrase(plan.script, rnd) }),
      ...(signed && { signer: { spc: plan.signer!.spc, certificateSha256: plan.signer!.cert, origid: pick(plan.signer!.origids), attest: "A" } }),
      ...(rnd() < 0.1 && { originator: { providerId: plan.originatingProvider, customerName: pick(plan.customer) } }),
    });
  }
  for (let n = 0; n < noise; n++) {
    const called = `+1${pick(AREA_CODES)}${exchange()}${digits(4)}`;
    const carrier = pick(CARRIERS.slice(0, 3));
    calls.push({
      id: `noise-${String(n).padStart(5, "0")}`,
      callTime: new Date(start + int(0, total * 37_000)).toISOString(),
      callingNumber: rnd() < 0.3 ? `${called.slice(0, 8)}${digits(4)}` : `+1${pick(AREA_CODES)}${exchange()}${digits(4)}`,
      calledNumber: called,
      ...(rnd() >= 0.1 && { transcript: noiseTranscript(rnd) }),
      ...(rnd() < 0.6 && { signer: { spc: carrier, certificateSha256: `cert-${carrier}`, origid: `origid-${digits(8)}`, attest: pick(["A", "B", "C"]) } }),
      ...(rnd() < 0.05 && { originator: { providerId: `acc_origin_${int(1, 8)}`, customerName: `Customer ${digits(6)}` } }),
    });
  }
  return calls.sort((a, b) => a.callTime.localeCompare(b.callTime));
}

/** The script read again: a paraphrase of each sentence, synonyms, fillers, boilerplate, a sentence dropped or swapped, misheard words, and often cut short. */
function paraphrase(script: string[][], rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let sentences = script.map((variants) => pick(variants));
  if (sentences.length > 3 && rnd() < 0.25) sentences.splice(1 + Math.floor(rnd() * (sentences.length - 2)), 1);
  if (sentences.length > 2 && rnd() < 0.25) {
    const i = 1 + Math.floor(rnd() * (sentences.length - 2));
    [sentences[i], sentences[i + 1]] = [sentences[i + 1]!, sentences[i]!];
  }
  if (rnd() < 0.4) sentences.splice(Math.floor(rnd() * (sentences.length + 1)), 0, pick(BOILERPLATE));
  // Voicemail captures and hang-ups keep only the beginning.
  if (rnd() < 0.3) sentences = sentences.slice(0, Math.max(2, Math.ceil(sentences.length * (0.4 + rnd() * 0.5))));
  const words = sentences
    .join(" ")
    .split(" ")
    .flatMap((w) => {
      const out = [SYNONYMS[w] ? pick(SYNONYMS[w]!) : w];
      if (rnd() < 0.04) out.unshift(pick(FILLERS));
      return out;
    });
  return words.map((w) => (rnd() < 0.03 ? mishear(w, rnd) : w)).join(" ");
}

function mishear(word: string, rnd: () => number): string {
  if (word.length < 3) return word;
  const i = Math.floor(rnd() * word.length);
  const letter = "abcdefghijklmnopqrstuvwxyz"[Math.floor(rnd() * 26)]!;
  return rnd() < 0.5 ? word.slice(0, i) + letter + word.slice(i + 1) : word.slice(0, i) + word.slice(i + 1);
}

function noiseTranscript(rnd: () => number): string {
  const length = 12 + Math.floor(rnd() * 30);
  const words = Array.from({ length }, () => NOISE_WORDS[Math.floor(rnd() * NOISE_WORDS.length)]!);
  if (rnd() < 0.3) words.splice(Math.floor(rnd() * words.length), 0, ...BOILERPLATE[Math.floor(rnd() * BOILERPLATE.length)]!.split(" "));
  return words.join(" ");
}

/** How different providers write the same customer down. */
function customerSpellings(name: string): string[] {
  return [`${name} LLC`, `${name.toUpperCase()}, L.L.C.`, `${name}`, `The ${name} Llc`];
}

/** Pairwise precision and recall of a clustering against the truth: over pairs of calls put together. */
export function pairwiseScores(
  calls: readonly FeedCall[],
  clusters: ReadonlyArray<readonly string[]>,
): { precision: number; recall: number; predictedPairs: number; truePairs: number } {
  const truth = new Map(calls.map((c) => [c.id, c.truth]));
  let predictedPairs = 0;
  let correct = 0;
  for (const cluster of clusters) {
    predictedPairs += (cluster.length * (cluster.length - 1)) / 2;
    const byTruth = new Map<string, number>();
    for (const id of cluster) {
      const t = truth.get(id);
      if (t !== undefined) byTruth.set(t, (byTruth.get(t) ?? 0) + 1);
    }
    for (const n of byTruth.values()) correct += (n * (n - 1)) / 2;
  }
  const sizes = new Map<string, number>();
  for (const c of calls) if (c.truth !== undefined) sizes.set(c.truth, (sizes.get(c.truth) ?? 0) + 1);
  const truePairs = [...sizes.values()].reduce((s, n) => s + (n * (n - 1)) / 2, 0);
  return { precision: predictedPairs === 0 ? 1 : correct / predictedPairs, recall: truePairs === 0 ? 1 : correct / truePairs, predictedPairs, truePairs };
}
