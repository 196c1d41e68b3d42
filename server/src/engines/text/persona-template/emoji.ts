// Emoji for the persona template engine: a small curated table of everyday topics (keywords in
// English, Spanish, French, German, Portuguese and Italian, lower case, accents folded) and a
// few general emoji per register. Nothing suggestive is in it (no 🍑 🍆 💦 👅), so a flirty
// persona gets 😉 at most. How many a text gets follows the persona's emoji habit.
import type { PersonaBrief } from '../text.ts';
import type { Register } from './frames.ts';

interface Concept {
  /** A keyword matches a word equal to it, or (five letters or more) the start of one. */
  keywords: readonly string[];
  emoji: readonly string[];
}

const concepts: readonly Concept[] = [
  { keywords: ['run', 'runs', 'running', 'runner', 'jog', 'jogging', 'marathon', 'correr', 'carrera', 'courir', 'laufen', 'joggen', 'corrida', 'correre', 'corsa'], emoji: ['🏃', '👟'] },
  { keywords: ['sunset', 'sunsets', 'dusk', 'atardecer', 'ocaso', 'coucher', 'sonnenuntergang', 'abendrot', 'tramonto', 'entardecer'], emoji: ['🌅', '🌇'] },
  { keywords: ['sunrise', 'dawn', 'amanecer', 'aurora', 'sonnenaufgang', 'alba', 'amanhecer'], emoji: ['🌄', '🌅'] },
  { keywords: ['river', 'rivers', 'lake', 'rio', 'riviere', 'fleuve', 'fluss', 'fiume', 'lago', 'lac'], emoji: ['🏞️', '💧'] },
  { keywords: ['beach', 'playa', 'plage', 'strand', 'praia', 'spiaggia', 'surf', 'surfing'], emoji: ['🏖️', '🌊', '🐚'] },
  { keywords: ['sea', 'ocean', 'waves', 'mar', 'oceano', 'mer', 'meer', 'mare'], emoji: ['🌊', '🐚'] },
  { keywords: ['coffee', 'latte', 'espresso', 'cafe', 'kaffee', 'caffe', 'cappuccino'], emoji: ['☕', '🥐'] },
  { keywords: ['tea', 'matcha', 'chai', 'tee', 'cha'], emoji: ['🍵'] },
  { keywords: ['food', 'foodie', 'cook', 'cooking', 'recipe', 'recipes', 'comida', 'cocina', 'cocinar', 'receta', 'cuisine', 'recette', 'essen', 'kochen', 'rezept', 'cozinhar', 'receita', 'cibo', 'cucina', 'cucinare', 'ricetta'], emoji: ['🍳', '🥗', '🍲'] },
  { keywords: ['pizza'], emoji: ['🍕'] },
  { keywords: ['pasta', 'spaghetti'], emoji: ['🍝'] },
  { keywords: ['sushi'], emoji: ['🍣'] },
  { keywords: ['cake', 'baking', 'bake', 'pastel', 'tarta', 'gateau', 'patisserie', 'kuchen', 'backen', 'bolo', 'torta', 'dolce'], emoji: ['🍰', '🧁'] },
  { keywords: ['breakfast', 'brunch', 'desayuno', 'dejeuner', 'fruhstuck', 'colazione'], emoji: ['🥐', '🥞'] },
  { keywords: ['travel', 'travels', 'trip', 'wanderlust', 'viaje', 'viajar', 'voyage', 'voyager', 'reise', 'reisen', 'viagem', 'viajar', 'viaggio', 'viaggiare'], emoji: ['✈️', '🌍', '🧳'] },
  { keywords: ['mountain', 'mountains', 'hike', 'hiking', 'trail', 'trails', 'montana', 'senderismo', 'montagne', 'randonnee', 'berg', 'berge', 'wandern', 'montanha', 'trilha', 'montagna', 'escursione'], emoji: ['⛰️', '🥾', '🌲'] },
  { keywords: ['fitness', 'gym', 'workout', 'training', 'strength', 'entrenamiento', 'gimnasio', 'entrainement', 'muscu', 'trainieren', 'treino', 'academia', 'allenamento', 'palestra'], emoji: ['💪', '🏋️'] },
  { keywords: ['yoga', 'pilates', 'meditation', 'mindful', 'mindfulness', 'meditacion', 'meditar', 'meditazione', 'meditacao'], emoji: ['🧘', '🌿'] },
  { keywords: ['bike', 'cycling', 'bicycle', 'bici', 'bicicleta', 'ciclismo', 'velo', 'fahrrad', 'radfahren', 'bicicletta'], emoji: ['🚴', '🚲'] },
  { keywords: ['swim', 'swimming', 'pool', 'nadar', 'natacion', 'nager', 'natation', 'schwimmen', 'natacao', 'nuotare', 'nuoto'], emoji: ['🏊', '💧'] },
  { keywords: ['music', 'song', 'songs', 'concert', 'playlist', 'musica', 'cancion', 'musique', 'chanson', 'musik', 'konzert', 'cancao', 'canzone', 'concerto'], emoji: ['🎵', '🎶', '🎧'] },
  { keywords: ['guitar', 'guitarra', 'guitare', 'gitarre', 'chitarra'], emoji: ['🎸'] },
  { keywords: ['dance', 'dancing', 'baile', 'bailar', 'danse', 'danser', 'tanz', 'tanzen', 'danca', 'dancar', 'danza', 'ballare'], emoji: ['💃', '🕺'] },
  { keywords: ['book', 'books', 'reading', 'read', 'novel', 'libro', 'libros', 'leer', 'lectura', 'livre', 'livres', 'lecture', 'buch', 'bucher', 'lesen', 'livro', 'leitura', 'lettura', 'leggere'], emoji: ['📚', '📖'] },
  { keywords: ['art', 'arte', 'kunst', 'paint', 'painting', 'draw', 'drawing', 'pintura', 'dibujo', 'peinture', 'dessin', 'malen', 'zeichnen', 'desenho', 'pittura', 'disegno'], emoji: ['🎨', '🖌️'] },
  { keywords: ['photo', 'photos', 'photography', 'camera', 'foto', 'fotos', 'fotografia', 'photographie', 'fotografie', 'kamera'], emoji: ['📸', '📷'] },
  { keywords: ['film', 'films', 'movie', 'movies', 'cinema', 'cine', 'pelicula', 'kino'], emoji: ['🎬', '🍿'] },
  { keywords: ['fashion', 'outfit', 'outfits', 'style', 'ootd', 'moda', 'estilo', 'mode', 'tenue', 'stil', 'look'], emoji: ['👗', '🧥', '👜'] },
  { keywords: ['beauty', 'makeup', 'skincare', 'belleza', 'maquillaje', 'beaute', 'maquillage', 'schonheit', 'beleza', 'maquiagem', 'bellezza', 'trucco'], emoji: ['💄', '🧴'] },
  { keywords: ['nature', 'naturaleza', 'natur', 'natureza', 'natura', 'outdoors', 'forest', 'bosque', 'foret', 'wald', 'floresta', 'foresta'], emoji: ['🌿', '🌲', '🍃'] },
  { keywords: ['flower', 'flowers', 'flor', 'flores', 'fleur', 'fleurs', 'blume', 'blumen', 'fiore', 'fiori', 'bloom'], emoji: ['🌸', '🌷'] },
  { keywords: ['plant', 'plants', 'garden', 'gardening', 'planta', 'plantas', 'jardin', 'plante', 'plantes', 'pflanze', 'pflanzen', 'garten', 'jardim', 'pianta', 'piante', 'giardino'], emoji: ['🪴', '🌱'] },
  { keywords: ['dog', 'dogs', 'puppy', 'perro', 'perros', 'chien', 'chiens', 'hund', 'hunde', 'cachorro', 'cane', 'cani'], emoji: ['🐶', '🐾'] },
  { keywords: ['cat', 'cats', 'kitten', 'gato', 'gatos', 'chaton', 'katze', 'katzen', 'gatto', 'gatti'], emoji: ['🐱', '🐾'] },
  { keywords: ['city', 'cities', 'urban', 'street', 'ciudad', 'ville', 'stadt', 'cidade', 'citta'], emoji: ['🏙️', '🌆'] },
  { keywords: ['night', 'nights', 'noche', 'nuit', 'nacht', 'noite', 'notte', 'moon', 'luna', 'lune', 'mond', 'lua'], emoji: ['🌙', '✨'] },
  { keywords: ['rain', 'rainy', 'lluvia', 'pluie', 'regen', 'chuva', 'pioggia'], emoji: ['🌧️', '☔'] },
  { keywords: ['snow', 'winter', 'nieve', 'invierno', 'neige', 'hiver', 'schnee', 'neve', 'inverno'], emoji: ['❄️', '⛄'] },
  { keywords: ['summer', 'sun', 'sunny', 'verano', 'sol', 'ete', 'soleil', 'sommer', 'sonne', 'verao', 'estate', 'sole'], emoji: ['☀️', '🌞'] },
  { keywords: ['autumn', 'fall', 'otono', 'automne', 'herbst', 'outono', 'autunno'], emoji: ['🍂', '🍁'] },
  { keywords: ['spring', 'primavera', 'printemps', 'fruhling'], emoji: ['🌷', '🌱'] },
  { keywords: ['tech', 'technology', 'code', 'coding', 'programming', 'tecnologia', 'technologie', 'technik', 'programar', 'programmieren'], emoji: ['💻', '🖥️'] },
  { keywords: ['game', 'games', 'gaming', 'gamer', 'juego', 'juegos', 'jeu', 'jeux', 'spiel', 'spiele', 'jogo', 'jogos', 'gioco', 'giochi'], emoji: ['🎮', '🕹️'] },
  { keywords: ['friends', 'friend', 'friendship', 'amigos', 'amigas', 'amis', 'amies', 'freunde', 'freundin', 'amici', 'amiche'], emoji: ['🤝', '🫶'] },
  { keywords: ['family', 'familia', 'famille', 'familie', 'famiglia', 'home', 'casa', 'maison', 'zuhause'], emoji: ['🏡', '🫶'] },
  { keywords: ['birthday', 'party', 'celebration', 'cumpleanos', 'fiesta', 'anniversaire', 'fete', 'geburtstag', 'feier', 'aniversario', 'festa', 'compleanno'], emoji: ['🎉', '🎂', '🥳'] },
  { keywords: ['goal', 'goals', 'motivation', 'focus', 'meta', 'metas', 'objectif', 'ziel', 'ziele', 'objetivo', 'obiettivo'], emoji: ['🎯', '🚀'] },
  { keywords: ['study', 'studying', 'learning', 'estudiar', 'etudier', 'lernen', 'studieren', 'estudar', 'studiare'], emoji: ['✏️', '📓'] },
  { keywords: ['work', 'office', 'business', 'trabajo', 'travail', 'arbeit', 'trabalho', 'lavoro'], emoji: ['💼', '📈'] },
  { keywords: ['football', 'soccer', 'futbol', 'fussball', 'futebol', 'calcio'], emoji: ['⚽'] },
  { keywords: ['tennis', 'tenis'], emoji: ['🎾'] },
  { keywords: ['basketball', 'baloncesto', 'basket'], emoji: ['🏀'] },
  { keywords: ['vegan', 'plantbased', 'avocado', 'aguacate', 'healthy', 'salad', 'ensalada', 'salade', 'salat', 'salada', 'insalata'], emoji: ['🥑', '🥗'] },
  { keywords: ['chocolate', 'chocolat', 'schokolade', 'cioccolato'], emoji: ['🍫'] },
  { keywords: ['icecream', 'gelato', 'helado', 'glace', 'sorvete'], emoji: ['🍦'] },
  { keywords: ['camping', 'camp', 'tent'], emoji: ['⛺', '🔥'] },
  { keywords: ['star', 'stars', 'estrella', 'etoile', 'stern', 'sterne', 'estrela', 'stella', 'stelle'], emoji: ['⭐', '✨'] },
  { keywords: ['car', 'cars', 'roadtrip', 'coche', 'voiture', 'auto', 'carro', 'macchina'], emoji: ['🚗', '🛣️'] },
];

const general: Record<Register | 'flirty', readonly string[]> = {
  reserved: ['☀️', '📌', '🌿', '🙂'],
  friendly: ['😊', '✨', '🙌', '👋', '🌟'],
  warm: ['💛', '✨', '🥰', '🤗', '🫶', '💕'],
  flirty: ['😉', '😘', '💫', '🙈'],
};

/** Lower case, accents folded, letters and digits only. */
export function fold(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

function matches(keyword: string, word: string): boolean {
  return word === keyword || (keyword.length >= 5 && word.startsWith(keyword));
}

/** Emoji that fit the words (idea first, then topics), best first, without repeats. */
export function topicEmoji(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words.map(fold).filter(Boolean)) {
    for (const c of concepts) {
      if (c.keywords.some((k) => matches(k, w))) for (const e of c.emoji) if (!out.includes(e)) out.push(e);
    }
  }
  return out;
}

/** How many emoji one text gets for an emoji habit (rare: sometimes one). */
export function emojiCount(usage: PersonaBrief['emojiUsage'], rand: () => number): number {
  switch (usage) {
    case 'none':
      return 0;
    case 'rare':
      return rand() < 0.6 ? 1 : 0;
    case 'moderate':
      return 1 + Math.floor(rand() * 3);
    case 'frequent':
      return 3 + Math.floor(rand() * 3);
  }
}

/** `count` emoji: topic emoji first (in a seeded order), then the register's general ones. */
export function pickEmoji(count: number, fitting: readonly string[], register: Register, flirty: boolean, rand: () => number): string[] {
  if (count <= 0) return [];
  const shuffle = (xs: readonly string[]) => xs.map((x) => ({ x, k: rand() })).sort((a, b) => a.k - b.k).map((p) => p.x);
  const topical = shuffle(fitting.slice(0, 6));
  const pool = [...topical, ...shuffle([...(flirty ? general.flirty.slice(0, 2) : []), ...general[register]])];
  const out: string[] = [];
  for (const e of pool) if (out.length < count && !out.includes(e)) out.push(e);
  return out;
}
