/**
 * The understanding step on its own: every intent and entity in the three forms, opt-out
 * strength, the conversation traps of issue 11, and bad input. Built from the committed
 * content with the real gazetteer and FAQ matcher (test/support/understander.ts). The texts
 * here are our own, not lines of the evaluation sets.
 */
import { describe, expect, it } from "vitest";
import type { Entities, Intent } from "../../src/core/understanding.ts";
import { loadLexicons, understandingDir } from "../../src/understanding/lexicon.ts";
import { contentUnderstander } from "../support/understander.ts";

const understand = (text: string) => contentUnderstander().understand(text);

type Case = [text: string, intent: Intent, entities?: Entities];

const INTENT_CASES: Record<string, Case[]> = {
  "partner.find": [
    ["is there a channel partner close to Wazirabad", "partner.find", { place: "Wazirabad" }],
    ["قریب ترین ایجنٹ کہاں ملے گا", "partner.find"],
    ["mujhe koi partner chahiye bhai", "partner.find"],
    ["main daska mein rehta hun", "partner.find", { place: "Daska" }],
    ["partners", "partner.find"],
  ],
  "partner.mine": [
    ["who is my channel partner?", "partner.mine"],
    ["میرا پارٹنر کون سا ہے", "partner.mine"],
    ["mere partner ka number bhej do", "partner.mine"],
  ],
  "partner.change": [
    ["please give me another partner", "partner.change"],
    ["مجھے پارٹنر تبدیل کروانا ہے", "partner.change"],
    ["partner badal do mera", "partner.change"],
  ],
  human: [
    ["can I talk to a human please", "human"],
    ["کسی انسان سے بات کروا دیں", "human"],
    ["koi banda hai jis se baat ho sake", "human"],
  ],
  "complaint.partner": [
    ["my partner does not reply to my messages", "complaint.partner"],
    ["پارٹنر فون ہی نہیں اٹھاتا", "complaint.partner"],
    ["partner ne abhi tak koi jawab nahi diya", "complaint.partner"],
  ],
  "progress.show": [
    ["show me my checklist", "progress.show"],
    ["میری پیش رفت دکھا دیں", "progress.show"],
    ["mera kaam kahan tak pohncha hai", "progress.show"],
  ],
  "progress.report": [
    ["I have listed 7 products", "progress.report", { count: 7 }],
    ["میرا پہلا آرڈر مل گیا", "progress.report", { stage: "first-order" }],
    ["store tayyar ho gaya hai", "progress.report", { stage: "storefront" }],
  ],
  "events.list": [
    ["any seller events coming up", "events.list"],
    ["لاہور میں کوئی سمٹ ہے؟", "events.list", { place: "Lahore" }],
    ["agla event kab hai", "events.list"],
  ],
  "events.rsvp": [
    ["I will be there", "events.rsvp", { rsvp: "going" }],
    ["میں نہیں آ سکوں گا", "events.rsvp", { rsvp: "no" }],
    ["shayad aa jaunga", "events.rsvp", { rsvp: "maybe" }],
  ],
  "events.mine": [
    ["which events am I registered for", "events.mine"],
    ["میرے ایونٹس دکھائیں", "events.mine"],
    ["mere events kaun se hain", "events.mine"],
  ],
  optout: [
    ["please stop sending me these announcements", "optout"],
    ["مجھے میسج نہ بھیجا کریں", "optout"],
    ["ab mujhe messages na bhejna", "optout"],
  ],
  optin: [
    ["please send me the announcements again", "optin"],
    ["دوبارہ شروع کریں", "optin"],
    ["messages phir se bhejna shuru karo", "optin"],
  ],
  language: [
    ["please answer in English", "language", { lang: "en" }],
    ["اردو میں بات کریں", "language", { lang: "ur" }],
    ["roman urdu mein likha karo", "language", { lang: "ur-Latn" }],
    ["zaban tabdeel karni hai", "language"],
  ],
  menu: [
    ["show me the menu", "menu"],
    ["مدد چاہیے", "menu"],
    ["aap kya kya kar sakte hain", "menu"],
    ["0", "menu"],
  ],
  greeting: [
    ["hello there", "greeting"],
    ["السلام علیکم جناب", "greeting"],
    ["assalam o alaikum bhai jaan", "greeting"],
  ],
  thanks: [
    ["thank you very much sir", "thanks"],
    ["آپ کا بہت شکریہ", "thanks"],
    ["bohat shukriya ji", "thanks"],
  ],
  ack: [
    ["okay got it", "ack"],
    ["جی ٹھیک ہے", "ack"],
    ["acha ji", "ack"],
    ["👍", "ack"],
  ],
  bye: [
    ["ok bye, take care", "bye"],
    ["اللہ حافظ بھائی", "bye"],
    ["khuda hafiz", "bye"],
  ],
  faq: [
    ["AoA bhai fees kitni hai", "faq"],
    ["what documents do I need for a seller account", "faq"],
    ["تصدیق میں کتنے دن لگتے ہیں", "faq"],
  ],
  none: [
    ["who won the cricket match yesterday", "none"],
    ["?", "none"],
    ["😂", "none"],
    ["12345", "none"],
  ],
};

describe("every intent, in the three forms", () => {
  for (const [intent, cases] of Object.entries(INTENT_CASES)) {
    describe(intent, () => {
      it.each(cases)("%j", (text, expected, entities) => {
        const u = understand(text);
        expect(u.intent).toBe(expected);
        if (entities) expect(u.entities).toEqual(entities);
        expect(u.confidence).toBeGreaterThan(0);
      });
    });
  }

  it("understands the content's own examples as their intents (all but faq and none, which the FAQ decides)", () => {
    const lx = loadLexicons(understandingDir("content"));
    const misses: string[] = [];
    for (const [intent, spec] of Object.entries(lx.intents.intents)) {
      if (intent === "faq" || intent === "none") continue;
      for (const text of [...spec.examples.en, ...spec.examples.ur, ...spec.examples["ur-Latn"]]) {
        const got = understand(text).intent;
        if (got !== intent) misses.push(`${text}: ${got} (want ${intent})`);
      }
    }
    expect(misses).toEqual([]);
  });
});

describe("entities", () => {
  it("place: the gazetteer's English name whatever the script or spelling", () => {
    expect(understand("sailkot mein partner").entities).toEqual({ place: "Sialkot" });
    expect(understand("سیالکوٹ میں پارٹنر").entities).toEqual({ place: "Sialkot" });
    expect(understand("سيالكوٹ ميں پارٹنر").entities).toEqual({ place: "Sialkot" }); // Arabic-keyboard letters
    expect(understand("gujranwalla mein koi agent").entities).toEqual({ place: "Gujranwala" });
    expect(understand("i am in Sialkot, how do i make a seller account").entities).toEqual({ place: "Sialkot" });
  });

  it("place: pronouns, function words and everyday words are never towns", () => {
    for (const text of ["مجھے پارٹنر چاہیے", "مجھے", "voice note", "bohat acha", "mujhe partner chahiye", "hum partner dhoond rahe hain", "mai kal shaadi pe ja raha hun"]) {
      expect(understand(text).entities.place, text).toBeUndefined();
      expect(understand(text).place, text).toBeUndefined();
    }
  });

  it("count: digits, Urdu digits and number words in three forms (only on reports)", () => {
    expect(understand("12 products list kar diye").entities).toEqual({ count: 12 });
    expect(understand("میں نے ۱۲ پروڈکٹس لسٹ کر دیں").entities).toEqual({ count: 12 });
    expect(understand("maine baara products upload kar diye").entities).toEqual({ count: 12 });
    expect(understand("I have listed twelve products").entities).toEqual({ count: 12 });
    expect(understand("میں نے بیس پروڈکٹس لسٹ کر دیں").entities).toEqual({ count: 20 });
    // A number in a question is not a count; an ordinal is not a count.
    expect(understand("ISO 13485 certificate kaise milta hai").entities).toEqual({});
    expect(understand("pehla order mil gaya").entities).toEqual({ stage: "first-order" });
  });

  it("stage: named as done; a product count carries no stage", () => {
    expect(understand("pehla product list kar diya").entities).toEqual({ stage: "first-product" });
    expect(understand("verification ho gayi").entities).toEqual({ stage: "verified" });
    expect(understand("I got my first inquiry").entities).toEqual({ stage: "first-inquiry" });
    expect(understand("how do i list my first product").intent).toBe("faq");
  });

  it("rsvp and lang", () => {
    expect(understand("going").entities).toEqual({ rsvp: "going" });
    expect(understand("maybe I will come").entities).toEqual({ rsvp: "maybe" });
    expect(understand("nahi aa sakta").entities).toEqual({ rsvp: "no" });
    expect(understand("urdu mein likho").entities).toEqual({ lang: "ur" });
    expect(understand("roman urdu mein likho").entities).toEqual({ lang: "ur-Latn" });
    expect(understand("english").entities).toEqual({ lang: "en" });
  });
});

describe("opt-out precision", () => {
  it.each(["STOP", "stop", "Unsubscribe", "بند کریں", "سٹاپ", "band karo bhai"])("the keyword %j acts at once", (text) => {
    expect(understand(text)).toMatchObject({ intent: "optout", optOut: "exact" });
  });

  it.each(["mujhe messages mat bhejo", "I do not want your messages any more", "مجھے پیغامات نہ بھیجیں", "remove me from your list"])("the clear phrase %j acts at once", (text) => {
    expect(understand(text)).toMatchObject({ intent: "optout", optOut: "phrase" });
  });

  it.each([
    "bhai mujhe messages mat bhejo wala masla nahi hai, mera product photo upload nahi ho raha",
  ])("a stop phrase in a long or complaining message %j asks first instead of acting", (text) => {
    expect(understand(text)).toMatchObject({ intent: "optout", optOut: "maybe" });
  });

  it.each(["too many messages", "how do I stop these notifications?", "itne messages kyun aa rahe hain"])("%j only might mean stop: ask first", (text) => {
    expect(understand(text)).toMatchObject({ intent: "optout", optOut: "maybe" });
  });

  it.each([
    "میرا اکاؤنٹ بند ہو گیا",
    "mera order band ho gaya",
    "my account got closed",
    "mera account block ho gaya",
    "app bar bar band ho jati hai",
    "i dont want to stop my messages",
    "bus stop near the venue?",
    "documents mat bhejo abhi",
    // Messages to or from buyers are not the bot's announcements.
    "my cousin in Faisalabad makes gloves too and his agent said to stop sending messages to buyers that never reply",
  ])("a complaint or another 'stop' never unsubscribes: %j", (text) => {
    const u = understand(text);
    expect(u.intent).not.toBe("optout");
  });

  it("marks complaints", () => {
    expect(understand("mera order band ho gaya")).toMatchObject({ intent: "none", complaint: true });
    expect(understand("how do I list a product").complaint).toBe(false);
  });
});

describe("the traps of issue 11", () => {
  const traps: Case[] = [
    ["مجھے پارٹنر چاہیے", "partner.find", {}],
    ["voice note", "none", {}],
    ["میرا اکاؤنٹ بند ہو گیا", "none", {}],
    ["mera order band ho gaya", "none", {}],
    ["mera partner kaun hai", "partner.mine", {}],
    ["who is my partner", "partner.mine", {}],
    ["partner", "partner.find", {}],
    ["partner badalna hai", "partner.change", {}],
    ["رجسٹریشن کیسے کروں", "faq", {}],
    ["theek hai", "ack", {}],
    ["bohat acha", "ack", {}],
    ["shukriya", "thanks", {}],
    ["Allah Hafiz", "bye", {}],
    ["ok", "ack", {}],
    ["pehla order mil gaya", "progress.report", { stage: "first-order" }],
  ];
  it.each(traps)("%j → %s", (text, intent, entities) => {
    const u = understand(text);
    expect(u.intent).toBe(intent);
    expect(u.entities).toEqual(entities);
  });

  it("answers 'رجسٹریشن کیسے کروں' from the registration topic, and reads 'pehla order mil gaya' as Roman Urdu", () => {
    expect(understand("رجسٹریشن کیسے کروں").faq?.topic).toBe("register-account");
    expect(understand("pehla order mil gaya").lang).toBe("ur-Latn");
  });

  it("gives flow answers in words: yes / no / skip and RSVPs", () => {
    expect(understand("haan").answer).toBe("yes");
    expect(understand("ji").answer).toBe("yes");
    expect(understand("nahi").answer).toBe("no");
    expect(understand("skip").answer).toBe("skip");
    expect(understand("aaunga").rsvp).toBe("going");
    expect(understand("inshallah").rsvp).toBe("going");
    expect(understand("inshallah").intent).toBe("ack");
    expect(understand("nahi aa sakta").rsvp).toBe("no");
    expect(understand("7").number).toBe(7);
  });
});

describe("bad input gets an intent, never an error", () => {
  const cases: Array<[string, string]> = [
    ["100 KB of text", "fees kitni hai ".repeat(7000)],
    ["emoji only", "😀🎉👍"],
    ["digits only", "1234567"],
    ["a lone question mark", "?"],
    ["mixed scripts in one word", "accountکیسے بناؤں"],
    ["Arabic-keyboard letters", "ميرا پارٹنر كون هے"],
    ["zero-width characters inside words", "par\u200Btner\u200B kaha\u200Dn hai"],
    ["control characters and bidi overrides", "\u202Estop\u202C\u0000\u0007"],
    ["only punctuation", "!!!...,,,"],
    ["lone surrogate", "\uD800 hello"],
  ];
  it.each(cases)("%s", (_name, text) => {
    const u = understand(text);
    expect(typeof u.intent).toBe("string");
    expect(u.entities).toBeTypeOf("object");
  });

  it.each([
    ["100 KB of Roman Urdu", "fees kitni hai ".repeat(7000), "faq", "ur-Latn"],
    ["100 KB of Urdu", "میرا پارٹنر کون ہے ".repeat(6000), "partner.mine", "ur"],
    ["100 KB of one letter", "x".repeat(100_000), "none", "en"],
    ["a thumbs-up", "👍", "ack", "en"],
    ["folded hands", "🙏🙏", "thanks", "en"],
    ["an emoji the bot cannot read", "😡", "none", "en"],
    ["digits only", "1234567", "none", "en"],
    ["Urdu digits only", "۱۲۳", "none", "ur"],
    ["a lone ?", "?", "none", "en"],
    ["a lone Urdu ؟", "؟", "none", "ur"],
    ["mixed scripts in one word", "mera پارٹنرkaun hai", "partner.mine", "ur"],
    ["mixed scripts in one word, Urdu first", "پارٹنرkahan hai", "partner.find", "ur"],
    ["Arabic-keyboard letters", "ميرا پارٹنر كون هے", "partner.mine", "ur"],
    ["Arabic-keyboard thanks", "شكريه", "thanks", "ur"],
    ["zero-width space inside a word", "shuk\u200Briya", "thanks", "ur-Latn"],
    ["zero-width non-joiner in Urdu", "شک\u200Cریہ", "thanks", "ur"],
    ["zero-width characters between words", "par\u200Btner\u200B kaha\u200Dn hai", "partner.find", "ur-Latn"],
    ["only punctuation", "!!!...,,,", "none", "en"],
    ["blanks only", "\u00A0\u2003 ", "none", "en"],
  ])("%s gets its intent and language", (_name, text, intent, lang) => {
    const u = understand(text);
    expect([u.intent, u.lang], u.reason).toEqual([intent, lang]);
  });

  it("costs the same for 100 KB as for its first part (the read is bounded)", () => {
    const long = "mera partner kaun hai ".repeat(4800);
    const median = (text: string) => {
      const times: number[] = [];
      for (let i = 0; i < 15; i++) {
        const start = performance.now();
        understand(text);
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[7]!;
    };
    understand(long);
    // Generous bound for a loaded machine; the bench measures the real figure (p99 ≤ 2 ms).
    expect(median(long)).toBeLessThan(15);
  });

  it("reads the start of a long text only", () => {
    expect(understand(`fees kitni hai ${"x".repeat(100_000)}`).intent).toBe("faq");
  });
});

describe("generalised from the second dev set's misses (our own texts)", () => {
  const cases: Case[] = [
    // Menu words with the words that stand around them, not only alone.
    ["mujhe menu dobara dikha do", "menu"],
    ["please send me the main menu again", "menu"],
    ["مجھے مینیو دوبارہ بھیج دیں", "menu"],
    // A photo, screenshot or voice note the bot cannot see; insults.
    ["maine screenshot bheja hai", "none"],
    ["did you see the pictures i sent", "none"],
    ["tum pagal ho", "none"],
    ["فضول", "none"],
    // A partner whose phone or office is always closed is a complaint about the partner.
    ["agent ka phone hamesha band hota hai", "complaint.partner"],
    ["the partner office is shut every time i go", "complaint.partner"],
    // Off the list, whatever else the message names; back on after a stop by mistake.
    ["mera naam list se hata dein", "optout"],
    ["delete my number from your list", "optout"],
    ["galti se stop likh diya tha, dobara add kar do", "optin"],
    ["dobara start kar do", "optin"],
    // Mixed scripts and two Urdu words typed as one.
    ["ٹھیک hai", "ack"],
    ["theek ہے ji", "ack"],
    ["اللہحافظ", "bye"],
    // Towns by their short names.
    ["lhr mein koi agent hai", "partner.find", { place: "Lahore" }],
    ["پنڈی کا کوئی ایجنٹ بتا دیں", "partner.find", { place: "Rawalpindi" }],
    // Done verbs as typed ("bna lia", "lag gaye"), RSVPs in more words.
    ["maine apni dukaan bna li hai", "progress.report", { stage: "storefront" }],
    ["mai zaroor shamil hounga summit mein", "events.rsvp", { rsvp: "going" }],
    ["not able to attend this one", "events.rsvp", { rsvp: "no" }],
  ];
  it.each(cases)("%j → %s", (text, intent, entities) => {
    const u = understand(text);
    expect(u.intent, u.reason).toBe(intent);
    if (entities) expect(u.entities).toEqual(entities);
  });

  it("Roman Urdu typed without vowels is read as the word it leaves no doubt about", () => {
    expect(understand("tm kya kr skty ho").intent).toBe("menu");
    expect(understand("phr mlty hn").intent).toBe("bye");
    // A number word the lists know is never "corrected" into another word.
    expect(understand("maine baara products daal diye").entities).toEqual({ count: 12 });
  });

  it("a number of zeros is not the menu; 0 alone is", () => {
    expect(understand("0000").intent).toBe("none");
    expect(understand("0").intent).toBe("menu");
  });

  it("one letter typed over and over is not an acknowledgement", () => {
    expect(understand("kkkkkk").intent).not.toBe("ack");
    expect(understand("ok").intent).toBe("ack");
  });

  it("a short Urdu word is never a town by a fuzzy match", () => {
    for (const text of ["پانی", "کرکٹ"]) expect(understand(text).entities.place).toBeUndefined();
    expect(understand("سیالکوٹ").entities.place).toBe("Sialkot");
  });

  it("an order on hold or an expired card is a complaint, not a progress report", () => {
    expect(understand("mera order hold pe hai").intent).not.toBe("progress.report");
    expect(understand("my cnic has expired").intent).not.toBe("progress.report");
  });
});

describe("generalised in round 3 (our own texts, not lines of the eval sets)", () => {
  // Opt-out frames: a stop verb in any of its forms, with messages as its object.
  it.each([
    "mujhe notifications band karni hain",
    "ye updates band karwa do",
    "aap log message bhejna chhor do",
    "I'd like to opt out",
    "i'm not interested in these updates anymore",
    "in messages mein koi dilchaspi nahi",
    "cancel my subscription to the announcements",
    "mute me",
    "یہ پیغامات بند کروا دیں",
    "پیغام بند",
    "i wish to discontinue these messages",
    "do not disturb",
    "is list mein nahi rehna mujhe",
    "مجھے اس لسٹ میں نہیں رہنا",
  ])("the opt-out %j is understood", (text) => {
    expect(understand(text).intent).toBe("optout");
  });

  // Look-alikes: past closures, another object, a buyer's messages, negated stops.
  it.each([
    "aap ne mere messages band karwa diye",
    "mera account band karwana hai",
    "dukaan band karni hai kuch din",
    "mujhe is buyer ke messages nahi chahiye",
    "whatsapp group ke messages band karne hain",
    "please don't unsubscribe me",
    "phone ki notifications band kaise karun",
    "میرا اکاؤنٹ بند کروا دیا گیا",
    "i am not interested in cricket",
    "ads kaise band karun",
    "the buyer discontinued the order",
    "do not disturb mode is on my phone",
    "mera naam list mein nahi hai",
    "mera supplier mujhe tang kar raha hai",
  ])("%j never unsubscribes at once", (text) => {
    const u = understand(text);
    expect(u.intent === "optout" && u.optOut !== "maybe", u.reason).toBe(false);
  });

  const cases: Case[] = [
    // An everyday subject with no marketplace word is none, however well "fees" or "documents" match.
    ["gym membership fee kitni hai", "none"],
    ["gold ka rate kya hai aaj", "none"],
    ["ویزا کے لیے کون سے کاغذات چاہئیں", "none"],
    ["what documents do i need for a passport", "none"],
    ["tumhara naam kya hai", "none"],
    ["آپ کہاں سے ہو", "none"],
    // … but a marketplace word keeps it a question.
    ["which products sell best before eid", "faq"],
    // Small talk and menu in more spellings.
    ["talk to you later", "bye"],
    ["cheers mate", "thanks"],
    ["بہت مہربانی", "thanks"],
    ["آداب عرض ہے", "greeting"],
    ["samajh nahi aa raha kya karun", "menu"],
    ["show me what you can do", "menu"],
    // Urdu spellings of progress and bookings; an opt-in undoing a stop by mistake.
    ["میری پروگریس کیا ہے", "progress.show"],
    ["میری بکنگ دکھائیں", "events.mine"],
    ["my bookings", "events.mine"],
    ["میں نے غلطی سے بند کر دیا تھا دوبارہ چالو کریں", "optin"],
    // A question about what stopping does is answered (the unsubscribe topic), not asked back.
    ["agar main messages band kar doon to kya event reminder phir bhi milega?", "faq"],
    // A word typed in two scripts reaches the FAQ as two words.
    ["accountکیسے بناؤں", "faq"],
  ];
  it.each(cases)("%j → %s", (text, intent) => {
    const u = understand(text);
    expect(u.intent, u.reason).toBe(intent);
  });

  it("answers a question about stopping with the unsubscribe topic", () => {
    expect(understand("if i send STOP will i still get event reminders?").faq?.topic).toBe("unsubscribe");
  });
});

describe("round 4: an opt-out phrase acts at once only inside its frame (our own texts)", () => {
  // Only the frame, politeness, greetings and thanks around the phrase: act at once.
  it.each([
    "assalam o alaikum, mujhe mazeed messages na bhejein, shukriya",
    "please stop sending me these summit messages",
    "ab se is number pe koi message mat bhejna",
    "مہربانی کر کے مجھے آئندہ کوئی پیغام نہ بھیجیں",
    "kindly remove my number from your list asap",
    "مجھے مزید اعلانات نہ بھیجے جائیں",
    "hi, I don't want any more messages, thanks",
  ])("the phrase %j, with nothing but its frame around it, acts at once", (text) => {
    const u = understand(text);
    expect(u, u.reason).toMatchObject({ intent: "optout", optOut: "phrase" });
  });

  // A word outside the frame (a second clause, a negation elsewhere, another subject) may change
  // what "stop" means: ask first, never act, and still count as an opt-out.
  it.each([
    "messages band karo warna main number block kar dunga",
    "stop sending me messages, my brother handles the shop now",
    "مجھے پیغامات نہ بھیجیں لیکن میرے بھائی کو بھیجتے رہیں",
    "updates mat bhejo jab tak main wapas na aaun",
    "I moved abroad, stop messages to this number please",
  ])("the phrase %j among other words asks first", (text) => {
    const u = understand(text);
    expect(u, u.reason).toMatchObject({ intent: "optout", optOut: "maybe" });
  });

  // A complaint never unsubscribes, but one that also says, in a clause of its own, to stop asks first.
  it.each([
    "my shop is closed now so please stop all announcements",
    "کاروبار بند ہو گیا ہے اس لیے مجھے مزید پیغامات نہ بھیجیں",
  ])("the complaint with its own stop clause %j asks first", (text) => {
    const u = understand(text);
    expect(u, u.reason).toMatchObject({ intent: "optout", optOut: "maybe" });
  });

  // The complaint alone, or a stop that is the complaint itself, still never asks.
  it.each(["mere messages aana band ho gaye", "my account got closed, stop it from happening again?"])("%j is not an opt-out", (text) => {
    const u = understand(text);
    expect(u.intent === "optout" && u.optOut !== "maybe", u.reason).toBe(false);
  });

  // A negation right next to the stop verb negates it: never an opt-out at once.
  it.each(["stop mat karo updates, zaroori hain", "updates rok mat dena", "اعلانات روک مت دینا", "سٹاپ مت کریں میسج", "please do not stop the reminders"])(
    "the negated stop %j never unsubscribes at once",
    (text) => {
      const u = understand(text);
      expect(u.intent === "optout" && u.optOut !== "maybe", u.reason).toBe(false);
    },
  );

  // A negation a few words before a stop does not negate it ("not interested, stop them").
  it("a negation further away does not cancel the stop", () => {
    expect(understand("not interested any more, stop messaging me").intent).toBe("optout");
  });
});

describe("round 4: bare stop verbs and negated stops (our own texts)", () => {
  // A bare stop verb with something else as its object stops that thing, not the messages.
  it.each(["truck ki delivery abhi rok do", "how do I stop my phone from heating", "فیکٹری کی مشین روک دو"])("%j is not an opt-out, not even asking", (text) => {
    expect(understand(text).intent).not.toBe("optout");
  });

  // … but alone, or with only politeness around it, it still asks.
  it.each(["bas rok do bhai", "please stop"])("the bare stop %j is still an opt-out", (text) => {
    expect(understand(text).intent).toBe("optout");
  });

  // A negated stop that asks to keep them coming is an opt-in; a negated stop alone is neither.
  it.each(["reminders band mat karna, mujhe chahiye", "please don't stop the news, keep sending it", "پیغامات بند نہ کریں، بھیجتے رہیں"])("%j is an opt-in", (text) => {
    expect(understand(text).intent).toBe("optin");
  });

  it("a negated stop with only praise is no opt-out and no opt-in", () => {
    const u = understand("stop mat karna updates, bohat mufeed hain");
    expect(u.intent).not.toBe("optout");
    expect(u.intent).not.toBe("optin");
  });
});

describe("round 4: small talk (our own texts)", () => {
  it.each<Case>([
    ["theek he bhai", "ack"],
    ["talk to you tomorrow", "bye"],
    ["acha phir baat hoti hai", "bye"],
    ["anybody here?", "greeting"],
    ["works for me", "ack"],
    ["menu khol do", "menu"],
  ])("%j is %s", (text, intent) => {
    expect(understand(text).intent).toBe(intent);
  });
});

describe("round 4: an earlier stop undone is an opt-in (our own texts)", () => {
  it.each(["maine pichle hafte stop bheja tha, ab phir se updates chahiye", "I had stopped the reminders last week, turn them back on please", "پچھلے مہینے میسج بند کیے تھے، اب دوبارہ شروع کریں"])("%j is an opt-in", (text) => {
    expect(understand(text).intent).toBe("optin");
  });

  it.each(["stop sending me these reminders", "mera account band ho gaya tha, dobara chalu karo"])("%j is not an opt-in", (text) => {
    expect(understand(text).intent).not.toBe("optin");
  });
});

describe("round 5: clauses, orderings and word classes (our own texts)", () => {
  it.each<Case>([
    // An RSVP in a clause of its own; a condition or a yes does not count against it.
    ["main zaroor aaunga, location bhej dena", "events.rsvp", { rsvp: "going" }],
    ["maybe, depends on work", "events.rsvp", { rsvp: "maybe" }],
    ["shayad aa jaun agar time mila", "events.rsvp", { rsvp: "maybe" }],
    ["hum 3 log aayenge summit mein", "events.rsvp", { rsvp: "going" }],
    // The request after a negated stop decides.
    ["stop mat karna, bas mera partner kaun hai batao", "partner.mine"],
    ["band nahi karna, mujhe progress dikhao", "progress.show"],
    ["don't unsubscribe me, but tell me the next event date", "events.list"],
    // A question the FAQ answers beside a complaint; a question about one's money.
    ["my shop is closed today, how do I pause my listing ads?", "faq"],
    ["buyer ne payment kar di lekin mujhe nahi mili, kab milegi?", "faq"],
    // Questions about STOP itself, whatever else they name.
    ["unsubscribe karne se kya mera account delete ho jayega?", "faq"],
    ["اگر میں سٹاپ بھیجوں تو کیا میرا اکاؤنٹ بند ہو جائے گا؟", "faq"],
    // Partner complaints and wanting another partner.
    ["my agent gave wrong information about fees", "complaint.partner"],
    ["partner ne mujhe block kar diya hai", "complaint.partner"],
    ["i need a different partner, this one never answers", "partner.change"],
    ["customer care se rabta karwa dein", "human"],
    // Opt-in and opt-out by the list.
    ["add me back to the list please", "optin"],
    ["مجھے دوبارہ فہرست میں شامل کر دیں", "optin"],
    ["mera number list se kaat do", "optout"],
    // Small talk with vocatives and praise; the menu by its features.
    ["bohat shukriya bhaiyo", "thanks"],
    ["thanks, very useful", "thanks"],
    ["c u tomorrow", "bye"],
    ["show me what all you can do", "menu"],
    ["آپ کی کیا کیا سہولیات ہیں", "menu"],
    // One's own workshop is no event; the army is an everyday subject.
    ["our workshop is closed today", "none"],
    ["my nephew wants to join the army, what is the process", "none"],
  ])("%j → %s", (text, intent, entities) => {
    const u = understand(text);
    expect(u.intent).toBe(intent);
    if (entities) expect(u.entities).toEqual(entities);
  });

  it("the RSVP clause rule does not read a clause about the goods as an answer", () => {
    expect(understand("barish ki wajah se sadak band hai, aaj maal nahi ja sakta").intent).not.toBe("events.rsvp");
  });

  it.each<[string, string]>([
    ["my store is verified now", "verified"],
    ["store bana li aur pehla product daal diya", "first-product"],
    ["دکان کا صفحہ سجا لیا ہے", "storefront"],
  ])("%j reports the furthest stage it names (%s)", (text, stage) => {
    const u = understand(text);
    expect(u.intent).toBe("progress.report");
    expect(u.entities.stage).toBe(stage);
  });

  it("\"abhi tak\" alone means so far, not not-yet", () => {
    expect(understand("10 products list kiye hain ab tak").entities).toEqual({ count: 10 });
    expect(understand("abhi tak account nahi bana").intent).not.toBe("progress.report");
  });

  it("a verb form one letter from an everyday word is not corrected onto it", () => {
    expect(understand("ads kaise chalaun").intent).not.toBe("none");
  });

  it("a question about STOP that names another object is about that object", () => {
    const u = understand("if i stop my ads will my listings go down?");
    expect(u.intent).toBe("faq");
    expect(u.faq?.topic).toBe("advertising");
  });
});

describe("generalised from the fifth held-out set's misses (round 6, our own texts)", () => {
  it.each<[string, string, Record<string, unknown>?]>([
    // Small talk around connectors and vocatives ("phir", "kal", "sab ko"), more thanks and goodbyes.
    ["ok phir allah hafiz bhai", "bye"],
    ["kal milenge, khuda hafiz", "bye"],
    ["سلام علیکم سب کو", "greeting"],
    ["wa alaikum salam wr wb", "greeting"],
    ["thanks, that was very helpful", "thanks"],
    ["اللہ آپ کو خوش رکھے", "thanks"],
    // Asking for the options is the menu, not an FAQ topic.
    ["what are my choices", "menu"],
    ["kon se options hain mere liye", "menu"],
    // "bund" is "band"; off a kind of message ("in msgs se nikalo"); "no need to send".
    ["ye msgs bund kar do", "optout"],
    ["mujhe in notifications se hata do", "optout"],
    ["no need to send me these updates", "optout"],
    // Compound number words count as one number.
    ["listed forty five products", "progress.report", { count: 45 }],
    // A town's partner is found; one's own stays one's own.
    ["faisalabad ka agent kaun hai", "partner.find", { place: "Faisalabad" }],
    // Everyday words that are also towns are not read as towns.
    ["karahi mein kitna tel dalta hai", "none", {}],
  ])("%j → %s", (text, intent, entities) => {
    const u = understand(text);
    expect(u.intent, u.reason).toBe(intent);
    if (entities) expect(u.entities).toEqual(entities);
  });

  it("a closure is still a complaint, not an opt-out, with the new spellings", () => {
    expect(understand("mera order bund ho gaya").intent).not.toBe("optout");
    expect(understand("mera account bund ho gaya hai").intent).not.toBe("optout");
  });

  it("the connectors of small talk are free only there: 'kal band' (closed tomorrow) is no stop keyword", () => {
    expect(understand("acha phir allah hafiz").intent).toBe("bye");
    for (const text of ["kal band", "کل بند", "phir band"]) expect(understand(text).optOut, text).not.toBe("exact");
  });

  it("a tens word before a unit word in another meaning is still only the tens", () => {
    expect(understand("uploaded twenty products").entities).toEqual({ count: 20 });
  });

  it("'who is my partner' in a town stays one's own partner", () => {
    expect(understand("mera partner kaun hai lahore mein").intent).toBe("partner.mine");
  });
});

describe("generalised from the seventh held-out set's misses (round 8, our own texts)", () => {
  it.each<[string, string, Record<string, unknown>?]>([
    // Small talk: more thanks, goodbyes, greetings and acknowledgements as data.
    ["thank you, that really helps", "thanks"],
    ["jazakumullah khair janab", "thanks"],
    ["رہنمائی کا شکریہ بھائی", "thanks"],
    ["apne acha samjhaya shukriya", "thanks"],
    ["thats all, take care", "bye"],
    ["bas itna hi tha, khuda hafiz", "bye"],
    ["اجازت چاہتا ہوں اللہ حافظ", "bye"],
    ["hi, how are you doing", "greeting"],
    ["سب خیریت ہے بھائی", "greeting"],
    ["durust hai ji", "ack"],
    // Lost, stuck or asking how the bot works is the menu.
    ["im stuck, help please", "menu"],
    ["how do i use this bot", "menu"],
    ["yeh kaise chalta hai", "menu"],
    ["میں پھنس گیا ہوں مدد کریں", "menu"],
    // A language name with "tell" words.
    ["english mein batao", "language", { lang: "en" }],
    // Events confirmed are one's own events.
    ["which events have i confirmed so far", "events.mine"],
    // Declining with "shamil nahi ho sakunga".
    ["shamil nahi ho sakunga is dafa", "events.rsvp", { rsvp: "no" }],
    // "unsub" is a stop verb in Roman Urdu too.
    ["unsub kar dein", "optout"],
    // How-to steps ask the FAQ, not one's progress.
    ["steps to open a seller account?", "faq"],
    ["account banane ke steps batao", "faq"],
    // A greeting from a town is a greeting with the town.
    ["salam from sialkot", "greeting", { place: "Sialkot" }],
    ["لاہور سے سلام", "greeting", { place: "Lahore" }],
    // Someone to help in or near a town is that town's partner.
    ["is there someone in daska who can help me", "partner.find", { place: "Daska" }],
    ["sialkot ke qareeb koi banda hai", "partner.find", { place: "Sialkot" }],
    // A currency's rate is an everyday subject.
    ["dollar ka rate kya hai aaj", "none", {}],
    // Urdu number words past twenty, in both scripts.
    ["چھتیس پراڈکٹس لگا دی ہیں", "progress.report", { count: 36 }],
    ["iktalees items upload kar diye", "progress.report", { count: 41 }],
    // A partner who stopped answering, or keeps stalling, is a complaint.
    ["the partner has stopped responding", "complaint.partner"],
    ["پارٹنر نے رابطہ کرنا چھوڑ دیا", "complaint.partner"],
    ["partner bas taal matol kar raha hai", "complaint.partner"],
    // Which work is left is progress.
    ["kon sa kaam reh gaya hai", "progress.show"],
    // Two languages, one said to be hard: the other is asked for.
    ["english please, i cant read urdu well", "language", { lang: "en" }],
    ["اردو مشکل لگتی ہے انگریزی میں جواب دیں", "language", { lang: "en" }],
    // Asking again for the partner's number is about the partner, not the messages.
    ["partner ka contact dobara bhejo", "partner.mine"],
    // Urdu in English letters is Roman Urdu, not Urdu script.
    ["urdu likho magar english letters mein", "language", { lang: "ur-Latn" }],
  ])("%j → %s", (text, intent, entities) => {
    const u = understand(text);
    expect(u.intent, u.reason).toBe(intent);
    if (entities) expect(u.entities).toEqual(entities);
  });

  it("a number word listed in numbers.json is never spelling-corrected away (chalees = 40)", () => {
    expect(understand("chalees products upload kar diye").entities).toEqual({ count: 40 });
  });

  it("an opt-out in its own clause beside an aside naming the shop asks first, never at once", () => {
    const u = understand("please remove my number, i have retired and my son looks after the shop");
    expect(u.intent, u.reason).toBe("optout");
    expect(u.optOut).toBe("maybe");
    // The shop named in the stop's own clause still blocks it.
    expect(understand("stop the shop updates, i retired").optOut).not.toBe("exact");
    // An aside that speaks of messages may say what is to stop: no rule of this kind.
    expect(understand("remove my number, the shop messages i mean").reason).not.toBe("an opt-out beside an aside");
  });

  it("a greeting from a town needs the rest to be greetings: a question with a town is not one", () => {
    expect(understand("hello, fees in sialkot kitni hai").intent).not.toBe("greeting");
    expect(understand("salam lahore se, partner chahiye").intent).not.toBe("greeting");
  });

  it("asking again for the messages is still an opt-in, with or without a partner named", () => {
    expect(understand("mujhe updates dobara bhejo").intent).toBe("optin");
    expect(understand("partner wale messages dobara bhejna shuru karo").intent).toBe("optin");
  });

  it("a question about paying in dollars is still the FAQ's", () => {
    expect(understand("can i get paid in dollars").intent).toBe("faq");
  });
});

// Round 9 (decision 0114): classes of holdout8's misses, tested in our own wording.
describe("round 9", () => {
  it.each<Case>([
    ["thanks a lot sir, that solved my issue", "thanks"],
    ["shukriya bhai bohat acha laga", "thanks"],
    ["جزاک اللہ آپ نے تفصیل سے سمجھایا", "thanks"],
    ["bhai slm alykm", "greeting"],
    ["السلام علیکم سب بھائیوں", "greeting"],
    ["ok sir will do it", "ack"],
    ["acha main kr leta hun", "ack"],
    ["ٹھیک ہے کر لوں گا", "ack"],
    ["rehnumai kar dein please", "menu"],
    ["مجھے رہنمائی چاہیے", "menu"],
    ["good night, will message you tomorrow", "bye"],
  ])("small talk: %s → %s", (text, intent) => {
    expect(understand(text).intent).toBe(intent);
  });

  it.each<[string, "going" | "no"]>([
    ["ji zaroor pahunchunga", "going"],
    ["میں ایکسپو میں پہنچوں گا", "going"],
    ["ان شاء اللہ پہنچیں گے", "going"],
    ["maazrat, shirkat nahi kar paungi", "no"],
  ])("an arrival verb answers the invitation: %s → %s", (text, rsvp) => {
    expect(understand(text)).toMatchObject({ intent: "events.rsvp", entities: { rsvp } });
  });

  it("asking what one RSVPed to is events.mine", () => {
    expect(understand("which ones did i rsvp to").intent).toBe("events.mine");
  });

  it("a word before an aspect verb is a verb stem, not a town (atak gayi is not Attock)", () => {
    expect(understand("mera paisa atak gaya hai").entities.place).toBeUndefined();
    expect(understand("میری رقم اٹک گئی ہے").entities.place).toBeUndefined();
    expect(understand("main atak se hun").entities).toEqual({ place: "Attock" });
    // Only stems that share a town's name: any other town before the same verb stays a town.
    expect(understand("main kal lahore gaya tha").entities.place).toBe("Lahore");
  });

  it("asking for the steps of registering is the FAQ, not progress", () => {
    expect(understand("what are the signup steps")).toMatchObject({ intent: "faq", faq: { topic: "register-account" } });
    expect(understand("رجسٹریشن کا طریقہ کیا ہے")).toMatchObject({ intent: "faq", faq: { topic: "register-account" } });
  });

  it("subscription khatam kar do opts out", () => {
    expect(understand("subscription khatam kar do").intent).toBe("optout");
  });
});

// Rounds 10 and 11 (decisions 0115, 0116): classes of holdout9's and holdout10's misses, tested
// in our own wording.
describe("rounds 10 and 11", () => {
  it.each<Case>([
    ["did I already say yes to the lahore expo", "events.mine", { place: "Lahore" }],
    ["mera naam summit ke liye darj hua ya nahi", "events.mine", {}],
    ["my cousin told me about a summit in sialkot next month", "events.list", { place: "Sialkot" }],
    ["agar chutti mili to zaroor aaunga", "events.rsvp", { rsvp: "maybe" }],
    ["ab tak kaun kaun se kaam complete hue", "progress.show", {}],
    ["kitna complete hai mera profile", "progress.show", {}],
    ["I have uploaded twenty glove models", "progress.report", { count: 20 }],
    ["from now on reply in english", "language", { lang: "en" }],
    ["neend aa rahi hai kal baat karte hain", "bye", {}],
    ["will come back later", "bye", {}],
    ["that was really useful, thanks", "thanks", {}],
    ["jo aap kahen", "ack", {}],
    ["ایسا ہی کروں گا", "ack", {}],
  ])("%j → %s", (text, intent, entities) => {
    expect(understand(text)).toMatchObject({ intent, entities });
  });

  it.each([
    ["registration k steps bata dein", "register-account"],
    ["mera account hack ho gaya", "account-security"],
    ["someone called asking for my OTP, is it a scam", "account-security"],
    ["I make footballs in Sialkot with my two brothers since 2005, we sell only to local shops now, how do I get verified on the marketplace", "verification"],
  ])("an FAQ question, also after a long introduction or about a break-in: %j → %s", (text, topic) => {
    expect(understand(text)).toMatchObject({ intent: "faq", faq: { topic } });
  });

  it("a stop with its own object after a story asks first; a negated stop is no opt-out", () => {
    expect(understand("I have closed my factory and retired, kindly stop sending me these announcements")).toMatchObject({ intent: "optout", optOut: "maybe" });
    expect(understand("announcements band nahi karwane, bas partner ka number chahiye").intent).toBe("partner.mine");
  });
});
