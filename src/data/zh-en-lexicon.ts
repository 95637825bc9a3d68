/** Word lists for the zh-en grammar generator. Each entry pairs a Chinese form with its English. */

/** A noun with its measure word. Mass nouns are counted in containers (三杯咖啡 = three cups of coffee). */
export interface Noun {
  zh: string;
  en: string;
  plural: string;
  measure: string;
  /** For mass nouns: the container, singular and plural. */
  container?: [string, string];
  /** Attributive adjectives that suit this noun (keys of ADJECTIVES). */
  attr: string[];
  /** Predicate adjectives that suit this noun. */
  pred: string[];
}

/** An adjective; `kind` decides how it attaches in Chinese (红色的车, 大房子, 便宜的书). */
export interface Adjective {
  zh: string;
  en: string;
  kind: 'color' | 'mono' | 'di';
}

export const ADJECTIVES: Record<string, Adjective> = {
  红色: { zh: '红色', en: 'red', kind: 'color' },
  蓝色: { zh: '蓝色', en: 'blue', kind: 'color' },
  白色: { zh: '白色', en: 'white', kind: 'color' },
  黑色: { zh: '黑色', en: 'black', kind: 'color' },
  绿色: { zh: '绿色', en: 'green', kind: 'color' },
  大: { zh: '大', en: 'big', kind: 'mono' },
  小: { zh: '小', en: 'small', kind: 'mono' },
  新: { zh: '新', en: 'new', kind: 'mono' },
  旧: { zh: '旧', en: 'old', kind: 'mono' },
  贵: { zh: '贵', en: 'expensive', kind: 'mono' },
  便宜: { zh: '便宜', en: 'cheap', kind: 'di' },
  漂亮: { zh: '漂亮', en: 'beautiful', kind: 'di' },
  干净: { zh: '干净', en: 'clean', kind: 'di' },
  高: { zh: '高', en: 'tall', kind: 'mono' },
  累: { zh: '累', en: 'tired', kind: 'mono' },
  忙: { zh: '忙', en: 'busy', kind: 'mono' },
  饿: { zh: '饿', en: 'hungry', kind: 'mono' },
  高兴: { zh: '高兴', en: 'happy', kind: 'di' },
};

const COLORS = ['红色', '蓝色', '白色', '黑色', '绿色'];
const OBJ_ATTR = [...COLORS, '大', '小', '新', '旧', '便宜', '漂亮', '干净'];
const OBJ_PRED = ['贵', '便宜', '大', '小', '新', '旧', '漂亮', '干净'];

function noun(zh: string, en: string, plural: string, measure: string, attr: string[], pred: string[]): Noun {
  return { zh, en, plural, measure, attr, pred };
}
function mass(zh: string, en: string, measure: string, container: [string, string]): Noun {
  return { zh, en, plural: en, measure, container, attr: [], pred: ['贵', '便宜'] };
}

export const NOUNS: Record<string, Noun> = {
  书: noun('书', 'book', 'books', '本', ['红色', '蓝色', '新', '旧', '便宜'], ['贵', '便宜', '新', '旧']),
  信: noun('信', 'letter', 'letters', '封', [], []),
  电影: noun('电影', 'movie', 'movies', '部', [], []),
  车: noun('车', 'car', 'cars', '辆', OBJ_ATTR, OBJ_PRED),
  自行车: noun('自行车', 'bicycle', 'bicycles', '辆', OBJ_ATTR, OBJ_PRED),
  电脑: noun('电脑', 'computer', 'computers', '台', ['白色', '黑色', '新', '旧', '便宜'], OBJ_PRED),
  桌子: noun('桌子', 'table', 'tables', '张', OBJ_ATTR, OBJ_PRED),
  椅子: noun('椅子', 'chair', 'chairs', '把', OBJ_ATTR, OBJ_PRED),
  伞: noun('伞', 'umbrella', 'umbrellas', '把', OBJ_ATTR, OBJ_PRED),
  笔: noun('笔', 'pen', 'pens', '支', [...COLORS, '新', '旧', '便宜'], ['贵', '便宜', '新', '旧']),
  照片: noun('照片', 'photo', 'photos', '张', ['旧', '漂亮'], ['漂亮', '旧', '新']),
  票: noun('票', 'ticket', 'tickets', '张', ['便宜'], ['贵', '便宜']),
  衬衫: noun('衬衫', 'shirt', 'shirts', '件', OBJ_ATTR, OBJ_PRED),
  房子: noun('房子', 'house', 'houses', '座', OBJ_ATTR, OBJ_PRED),
  苹果: noun('苹果', 'apple', 'apples', '个', ['红色', '绿色', '大', '小'], ['大', '小', '贵', '便宜']),
  鸡蛋: noun('鸡蛋', 'egg', 'eggs', '个', ['白色', '大', '小'], ['大', '小', '贵', '便宜']),
  橙子: noun('橙子', 'orange', 'oranges', '个', ['大', '小'], ['大', '小', '贵', '便宜']),
  鱼: noun('鱼', 'fish', 'fish', '条', ['大', '小'], ['大', '小', '贵', '便宜']),
  猫: noun('猫', 'cat', 'cats', '只', ['黑色', '白色'], ['大', '漂亮', '干净']),
  狗: noun('狗', 'dog', 'dogs', '只', ['黑色', '白色', '大'], ['大', '漂亮', '干净']),
  鸟: noun('鸟', 'bird', 'birds', '只', ['红色', '蓝色', '绿色', '白色'], ['漂亮']),
  咖啡: mass('咖啡', 'coffee', '杯', ['cup', 'cups']),
  茶: mass('茶', 'tea', '杯', ['cup', 'cups']),
  水: mass('水', 'water', '杯', ['glass', 'glasses']),
  牛奶: mass('牛奶', 'milk', '瓶', ['bottle', 'bottles']),
  米饭: mass('米饭', 'rice', '碗', ['bowl', 'bowls']),
};

/** A verb with the English forms we need and the nouns it takes (none: intransitive). */
export interface Verb {
  zh: string;
  base: string;
  s3: string;
  past: string;
  ing: string;
  objects: string[];
}

function verb(zh: string, forms: string, objects: string[] = []): Verb {
  const [base, s3, past, ing] = forms.split(' ') as [string, string, string, string];
  return { zh, base, s3, past, ing, objects };
}

const THINGS = ['车', '自行车', '电脑', '桌子', '椅子', '伞', '笔', '衬衫', '书'];
const FOOD = ['苹果', '鸡蛋', '橙子', '鱼'];
const ANIMALS = ['猫', '狗', '鸟'];

// 看 is two English verbs; the object decides which, so questions with 什么 never use it.
export const VERBS: Verb[] = [
  verb('看', 'read reads read reading', ['书', '信']),
  verb('看', 'watch watches watched watching', ['电影']),
  verb('买', 'buy buys bought buying', [...THINGS, ...FOOD, ...ANIMALS, '票', '房子', '咖啡', '茶', '牛奶', '米饭']),
  verb('卖', 'sell sells sold selling', [...THINGS, ...FOOD, ...ANIMALS, '票', '房子']),
  verb('吃', 'eat eats ate eating', [...FOOD, '米饭']),
  verb('喝', 'drink drinks drank drinking', ['咖啡', '茶', '水', '牛奶']),
  verb('写', 'write writes wrote writing', ['信', '书']),
  verb('洗', 'wash washes washed washing', ['车', '自行车', '衬衫', '苹果', '桌子', '椅子']),
  verb('修', 'fix fixes fixed fixing', ['车', '自行车', '电脑', '椅子', '桌子', '伞']),
  verb('借', 'borrow borrows borrowed borrowing', ['书', '笔', '伞', '自行车', '车', '电脑']),
  verb('画', 'draw draws drew drawing', ['猫', '狗', '鸟', '房子', '车', '苹果']),
  verb('拍', 'take takes took taking', ['照片']),
  verb('游泳', 'swim swims swam swimming'),
  verb('唱歌', 'sing sings sang singing'),
  verb('跳舞', 'dance dances danced dancing'),
  verb('工作', 'work works worked working'),
  verb('学习', 'study studies studied studying'),
  verb('哭', 'cry cries cried crying'),
  verb('笑', 'laugh laughs laughed laughing'),
];

/** A subject: `person` 1/2/3 and `plural` decide agreement (am/is/are, -s, do/does). */
export interface Subject {
  zh: string;
  en: string;
  person: 1 | 2 | 3;
  plural: boolean;
}

export const PRONOUNS: Subject[] = [
  { zh: '我', en: 'I', person: 1, plural: false },
  { zh: '你', en: 'you', person: 2, plural: false },
  { zh: '他', en: 'he', person: 3, plural: false },
  { zh: '她', en: 'she', person: 3, plural: false },
  { zh: '我们', en: 'we', person: 1, plural: true },
  { zh: '你们', en: 'you', person: 2, plural: true },
  { zh: '他们', en: 'they', person: 3, plural: true },
  { zh: '她们', en: 'they', person: 3, plural: true },
];

export const NAMES: Subject[] = [
  { zh: '汤姆', en: 'Tom', person: 3, plural: false },
  { zh: '玛丽', en: 'Mary', person: 3, plural: false },
  { zh: '小明', en: 'Xiaoming', person: 3, plural: false },
];

export const POSSESSIVES: [string, string][] = [
  ['我的', 'my'], ['你的', 'your'], ['他的', 'his'], ['她的', 'her'], ['我们的', 'our'], ['他们的', 'their'],
];

export const PEOPLE: [string, string][] = [
  ['朋友', 'friend'], ['老师', 'teacher'], ['同学', 'classmate'], ['哥哥', 'older brother'],
  ['姐姐', 'older sister'], ['弟弟', 'younger brother'], ['妹妹', 'younger sister'],
];

/** Places: Chinese after 在, English with its preposition. */
export const PLACES: [string, string][] = [
  ['学校', 'at school'], ['家', 'at home'], ['图书馆', 'at the library'], ['公园', 'in the park'],
  ['商店', 'at the store'], ['北京', 'in Beijing'], ['上海', 'in Shanghai'], ['厨房', 'in the kitchen'],
  ['办公室', 'at the office'], ['咖啡馆', 'at the cafe'],
];

export type Tense = 'past' | 'future' | 'habitual' | 'progressive';

/** Time phrases; each fixes the English tense. */
export const TIMES: Record<'past' | 'future' | 'habitual', [string, string][]> = {
  past: [['昨天', 'yesterday'], ['昨天晚上', 'last night'], ['上个星期', 'last week'], ['上个月', 'last month'],
    ['去年', 'last year'], ['前天', 'the day before yesterday']],
  future: [['明天', 'tomorrow'], ['明天早上', 'tomorrow morning'], ['下个星期', 'next week'], ['下个月', 'next month'],
    ['明年', 'next year']],
  habitual: [['每天', 'every day'], ['每天早上', 'every morning'], ['每天晚上', 'every evening'],
    ['每个星期', 'every week'], ['每个周末', 'every weekend']],
};

export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
